package dev.kiln.agent.http.access;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * The folders {@code POST /models} installs from ({@code models.importDirs}). A requested path is
 * resolved with every symlink followed and must then be a regular {@code .kiln} file inside one of
 * them; nothing is read or copied before that holds. A path that does not exist and one outside the
 * folders get the same answer, so the API cannot be used to learn which paths exist.
 */
public final class ImportDirs {
  private static final String KEY = "models.importDirs";

  private final List<Path> configured;
  private final List<Path> real = new ArrayList<>();

  /** Creates missing folders (0700) and resolves each to its real path. */
  public ImportDirs(List<Path> dirs) {
    this.configured = List.copyOf(dirs);
    for (Path dir : dirs) {
      try {
        if (!Files.exists(dir)) {
          createPrivate(dir);
        }
        Path resolved = dir.toRealPath();
        if (!Files.isDirectory(resolved)) {
          throw new ConfigException(KEY, dir + " is not a folder");
        }
        real.add(resolved);
      } catch (IOException e) {
        throw new ConfigException(KEY, "cannot create or open " + dir + ": " + e.getMessage());
      }
    }
  }

  private static void createPrivate(Path dir) throws IOException {
    try {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (UnsupportedOperationException e) {
      Files.createDirectories(dir);
    }
  }

  /** The configured folders, as written in the config. */
  public List<Path> dirs() {
    return configured;
  }

  /**
   * @return the real path of {@code requested}, to install from
   * @throws AgentException ARTIFACT_REJECTED unless it is a regular {@code .kiln} file under an
   *     import folder
   */
  public Path resolve(String requested) {
    Path path;
    try {
      path = Path.of(requested);
    } catch (InvalidPathException e) {
      throw refused();
    }
    if (!path.isAbsolute() || !isKiln(path)) {
      throw refused();
    }
    Path resolved;
    try {
      resolved = path.toRealPath();
    } catch (IOException | SecurityException e) {
      throw refused();
    }
    if (real.stream().noneMatch(resolved::startsWith)
        || !isKiln(resolved)
        || !Files.isRegularFile(resolved, LinkOption.NOFOLLOW_LINKS)) {
      throw refused();
    }
    return resolved;
  }

  private static boolean isKiln(Path path) {
    Path name = path.getFileName();
    return name != null && name.toString().endsWith(".kiln") && name.toString().length() > 5;
  }

  /** One message for every refusal: which check failed would tell what exists where. */
  private AgentException refused() {
    return new AgentException(
        AgentErrorCode.ARTIFACT_REJECTED,
        "artifact must be an absolute path to an existing .kiln file inside "
            + KEY
            + " "
            + configured
            + "; copy the file there first");
  }
}
