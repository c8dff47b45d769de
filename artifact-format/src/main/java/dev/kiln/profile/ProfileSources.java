package dev.kiln.profile;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Finds profile files in a directory or on the classpath, and reads and validates each. A profile
 * is any {@code *.json} directly inside the profile folder; the schema sits in {@code schema/}
 * below it and is never read as a profile.
 */
final class ProfileSources {
  static final String CLASSPATH_ROOT = "kiln/device-profiles/";

  /**
   * Every copy of the profile set carries the schema, so finding the schema finds the folder; there
   * is no way to list a classpath folder directly.
   */
  static final String CLASSPATH_SCHEMA = CLASSPATH_ROOT + "schema/device-profile.schema.json";

  /** A validated profile and where it came from. */
  record Loaded(DeviceProfile profile, String source) {}

  private ProfileSources() {}

  static List<Loaded> fromDirectory(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new ProfileException(
          ProfileErrorCode.PROFILES_NOT_FOUND,
          "device profile directory "
              + dir
              + " does not exist or is not a directory;"
              + " create it or point Kiln at the folder holding the <name>.json files");
    }
    List<Path> files;
    try (Stream<Path> listing = Files.list(dir)) {
      files =
          listing
              .filter(f -> isProfileFileName(f.getFileName().toString()))
              .filter(Files::isRegularFile)
              .sorted()
              .toList();
    } catch (IOException e) {
      throw new ProfileException(
          ProfileErrorCode.UNREADABLE, dir.toString(), null, "cannot list " + dir + ": " + e, e);
    }
    List<Loaded> loaded = new ArrayList<>();
    for (Path file : files) {
      loaded.add(readFile(file));
    }
    return loaded;
  }

  static Loaded readFile(Path file) {
    String fileName = file.getFileName().toString();
    if (!fileName.endsWith(".json")) {
      throw new ProfileException(
          ProfileErrorCode.UNREADABLE,
          file.toString(),
          null,
          file + ": a device profile file must be named <name>.json",
          null);
    }
    return read(readBytes(file), file.toString(), fileName);
  }

  static List<Loaded> fromClasspath(ClassLoader loader) {
    List<URL> schemas;
    try {
      schemas = Collections.list(loader.getResources(CLASSPATH_SCHEMA));
    } catch (IOException e) {
      throw new ProfileException(
          ProfileErrorCode.UNREADABLE, null, null, "cannot search the classpath: " + e, e);
    }
    if (schemas.isEmpty()) {
      throw new ProfileException(
          ProfileErrorCode.PROFILES_NOT_FOUND,
          "no device profiles on the classpath (resource "
              + CLASSPATH_SCHEMA
              + " not found); add the dev.kiln:kiln-device-profiles jar to the classpath,"
              + " or load a folder with DeviceProfiles.fromDirectory");
    }
    List<Loaded> loaded = new ArrayList<>();
    for (URL schema : schemas) {
      loaded.addAll(fromClasspathRoot(schema));
    }
    return loaded;
  }

  private static List<Loaded> fromClasspathRoot(URL schema) {
    switch (schema.getProtocol()) {
      case "file":
        try {
          return fromDirectory(Path.of(schema.toURI()).getParent().getParent());
        } catch (URISyntaxException e) {
          throw new ProfileException(
              ProfileErrorCode.UNREADABLE, schema.toString(), null, "bad resource URL", e);
        }
      case "jar":
        return fromJar(schema);
      default:
        throw new ProfileException(
            ProfileErrorCode.PROFILES_NOT_FOUND,
            "cannot list device profiles at "
                + schema
                + ": only directories and jar files are supported;"
                + " unpack the profiles and use DeviceProfiles.fromDirectory");
    }
  }

  private static List<Loaded> fromJar(URL schema) {
    try {
      URLConnection connection = schema.openConnection();
      // A cached JarFile is shared JVM-wide and must not be closed; ask for our own.
      connection.setUseCaches(false);
      JarURLConnection jarConnection = (JarURLConnection) connection;
      String jarUrl = jarConnection.getJarFileURL().toString();
      try (JarFile jar = jarConnection.getJarFile()) {
        List<JarEntry> entries =
            Collections.list(jar.entries()).stream()
                .filter(e -> !e.isDirectory())
                .filter(e -> e.getName().startsWith(CLASSPATH_ROOT))
                .filter(e -> isProfileFileName(e.getName().substring(CLASSPATH_ROOT.length())))
                .sorted(Comparator.comparing(JarEntry::getName))
                .toList();
        List<Loaded> loaded = new ArrayList<>();
        for (JarEntry entry : entries) {
          String source = "jar:" + jarUrl + "!/" + entry.getName();
          byte[] bytes;
          try (InputStream in = jar.getInputStream(entry)) {
            bytes = in.readAllBytes();
          }
          String fileName = entry.getName().substring(CLASSPATH_ROOT.length());
          loaded.add(read(bytes, source, fileName));
        }
        return loaded;
      }
    } catch (IOException e) {
      throw new ProfileException(
          ProfileErrorCode.UNREADABLE,
          schema.toString(),
          null,
          "cannot read device profiles from " + schema + ": " + e,
          e);
    }
  }

  /** A plain {@code <name>.json} with no folder part; hidden files (editor backups) are skipped. */
  private static boolean isProfileFileName(String name) {
    return name.endsWith(".json") && !name.startsWith(".") && !name.contains("/");
  }

  private static Loaded read(byte[] bytes, String source, String fileName) {
    String expectedName = fileName.substring(0, fileName.length() - ".json".length());
    DeviceProfile parsed = ProfileJson.parse(bytes, source);
    return new Loaded(ProfileValidator.validate(parsed, source, expectedName), source);
  }

  private static byte[] readBytes(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ProfileException(
          ProfileErrorCode.UNREADABLE, file.toString(), null, file + ": vanished while loading", e);
    } catch (IOException e) {
      throw new ProfileException(
          ProfileErrorCode.UNREADABLE, file.toString(), null, file + ": cannot read: " + e, e);
    }
  }
}
