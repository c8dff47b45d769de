package dev.kiln.profile;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The shipped profile folder, scratch folders under target/tmp, and profile JSON to mutate. */
final class ProfileFixtures {
  static final ObjectMapper JSON = new ObjectMapper();

  private ProfileFixtures() {}

  /** device-profiles/ in this checkout; surefire sets kiln.repo.root. */
  static Path shippedDir() {
    String root = System.getProperty("kiln.repo.root");
    if (root == null) {
      throw new IllegalStateException("run under Maven: system property kiln.repo.root is unset");
    }
    return Path.of(root, "device-profiles");
  }

  static DeviceProfiles shipped() {
    return DeviceProfiles.fromDirectory(shippedDir());
  }

  static Path newTempDir(String prefix) {
    try {
      Path base = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
      return Files.createTempDirectory(base, prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A shipped profile as an editable JSON tree. */
  static ObjectNode shippedJson(String name) {
    try {
      return (ObjectNode) JSON.readTree(shippedDir().resolve(name + ".json").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path write(Path dir, String fileName, String content) {
    try {
      return Files.writeString(dir.resolve(fileName), content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path write(Path dir, String fileName, ObjectNode json) {
    try {
      return write(dir, fileName, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
