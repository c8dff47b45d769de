package dev.kiln.agent.service;

import dev.kiln.artifact.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * File operations for the installer. Every write lands whole or not at all (temp file, fsync,
 * atomic rename, fsync of the directory), and permissions and group are set on the temp file so the
 * final name never exists with looser modes than asked for.
 */
final class ServiceFiles {
  private ServiceFiles() {}

  static void write(Path target, byte[] bytes, String permissions, String group)
      throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path temp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
    try {
      Files.write(temp, bytes);
      finish(temp, target, permissions, group);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  static void copy(Path source, Path target, String permissions) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path temp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
    try {
      try (InputStream in = Files.newInputStream(source)) {
        Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
      }
      finish(temp, target, permissions, null);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Lists the jars an install put in lib/, one file name a line. */
  static final String JAR_LIST = ".kiln-agent-jars";

  /** Copies {@code jars} into {@code libDir} and removes the jars only the last install had. */
  static void syncJars(List<Path> jars, Path libDir) throws IOException {
    Files.createDirectories(libDir);
    Set<String> previous = installedJars(libDir);
    Set<String> wanted = new TreeSet<>();
    for (Path jar : jars) {
      Path target = libDir.resolve(jar.getFileName());
      wanted.add(jar.getFileName().toString());
      if (!jar.toAbsolutePath().normalize().equals(target.toAbsolutePath().normalize())) {
        copy(jar, target, "rw-r--r--");
      }
    }
    // The new list is durable before old jars go, so a crash leaves extra jars, never lost ones.
    write(libDir.resolve(JAR_LIST), listing(wanted), "rw-r--r--", null);
    for (String name : previous) {
      if (!wanted.contains(name)) {
        Files.deleteIfExists(libDir.resolve(name));
      }
    }
    AtomicFiles.fsyncDirectory(libDir);
  }

  static void removeJars(Path libDir) throws IOException {
    for (String name : installedJars(libDir)) {
      Files.deleteIfExists(libDir.resolve(name));
    }
    Files.deleteIfExists(libDir.resolve(JAR_LIST));
    try (DirectoryStream<Path> rest = Files.newDirectoryStream(libDir)) {
      if (!rest.iterator().hasNext()) {
        Files.delete(libDir);
      }
    } catch (java.nio.file.NoSuchFileException absent) {
      // Nothing was installed; nothing to remove.
    }
  }

  private static Set<String> installedJars(Path libDir) throws IOException {
    Path list = libDir.resolve(JAR_LIST);
    Set<String> names = new TreeSet<>();
    if (Files.exists(list)) {
      for (String line : Files.readAllLines(list, StandardCharsets.UTF_8)) {
        // A name with a separator cannot be one we wrote; never follow it out of lib/.
        if (line.endsWith(".jar") && !line.contains("/")) {
          names.add(line);
        }
      }
    }
    return names;
  }

  private static byte[] listing(Set<String> names) {
    StringBuilder out = new StringBuilder();
    names.forEach(name -> out.append(name).append('\n'));
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  private static void finish(Path temp, Path target, String permissions, String group)
      throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(temp, PosixFileAttributeView.class);
    if (view != null) {
      view.setPermissions(PosixFilePermissions.fromString(permissions));
      if (group != null) {
        GroupPrincipal principal =
            FileSystems.getDefault()
                .getUserPrincipalLookupService()
                .lookupPrincipalByGroupName(group);
        view.setGroup(principal);
      }
    }
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    AtomicFiles.fsyncDirectory(target.toAbsolutePath().getParent());
  }
}
