package dev.kiln.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;

/**
 * The operating-system user PostgreSQL's programs run as. {@code initdb} and {@code postgres}
 * refuse to run as root, and CI runs the tests as root (uid 0): then they run as {@code nobody}
 * through {@code runuser}, in folders owned by {@code nobody}. Anyone else runs them as themselves.
 */
record PostgresOsUser(String name) {
  static final String UNPRIVILEGED = "nobody";
  private static final Path RUNUSER = Path.of("/usr/sbin/runuser");

  static PostgresOsUser forThisProcess() {
    return isRoot() ? new PostgresOsUser(UNPRIVILEGED) : new PostgresOsUser(null);
  }

  boolean switches() {
    return name != null;
  }

  /** The command as this user runs it. */
  List<String> command(List<String> command) {
    if (!switches()) {
      return command;
    }
    if (!Files.isExecutable(RUNUSER)) {
      throw new IllegalStateException(
          "PostgreSQL refuses to run as root and "
              + RUNUSER
              + " (util-linux) is missing to run it as "
              + name);
    }
    List<String> wrapped = new ArrayList<>(List.of(RUNUSER.toString(), "-u", name, "--"));
    wrapped.addAll(command);
    return wrapped;
  }

  /** Makes {@code dir} this user's, so the server can write there. */
  void own(Path dir) {
    if (!switches()) {
      return;
    }
    try {
      UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
      PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
      view.setOwner(users.lookupPrincipalByName(name));
      GroupPrincipal group = groupOf(users);
      if (group != null) {
        view.setGroup(group);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot give " + dir + " to " + name, e);
    }
  }

  private GroupPrincipal groupOf(UserPrincipalLookupService users) {
    for (String candidate : List.of(name, "nogroup")) {
      try {
        return users.lookupPrincipalByGroupName(candidate);
      } catch (IOException noSuchGroup) {
        // Debian names nobody's group nogroup; other systems name it nobody.
      }
    }
    return null;
  }

  private static boolean isRoot() {
    try {
      Path probe = Files.createTempFile("kiln-uid", ".probe");
      try {
        return Integer.valueOf(0).equals(Files.getAttribute(probe, "unix:uid"));
      } finally {
        Files.deleteIfExists(probe);
      }
    } catch (IOException | UnsupportedOperationException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }
}
