package dev.kiln.files;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Creates files 0600 and folders 0700. The mode is given to the create call itself, not set by a
 * chmod afterwards, so no other user can open the file in between. On a file system without POSIX
 * permissions (Windows) files are created with its defaults.
 */
public final class OwnerOnly {
  public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
  public static final Set<PosixFilePermission> FOLDER =
      PosixFilePermissions.fromString("rwx------");

  private OwnerOnly() {}

  /** True when {@code path}'s file system keeps POSIX permissions. */
  public static boolean posix(Path path) {
    return path.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  /**
   * Creates {@code dir} and any missing parents 0700. A folder that already exists and is open to
   * group or others (made by an older version) is narrowed to 0700, since it holds data.
   */
  public static Path createDirectories(Path dir) throws IOException {
    if (!posix(dir)) {
      return Files.createDirectories(dir);
    }
    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(FOLDER));
    narrow(dir, FOLDER);
    return dir;
  }

  /** Opens {@code file} with {@code options}; when the options create it, it is created 0600. */
  public static FileChannel open(Path file, OpenOption... options) throws IOException {
    return FileChannel.open(file, Set.of(options), fileAttributes(file));
  }

  /** Writes {@code bytes} to a new file created 0600; fails if the file exists. */
  public static void writeNew(Path file, byte[] bytes) throws IOException {
    Files.write(Files.createFile(file, fileAttributes(file)), bytes, StandardOpenOption.WRITE);
  }

  /** Narrows an existing file or folder to {@code mode} when group or others have any access. */
  public static void narrow(Path path, Set<PosixFilePermission> mode) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
    if (view != null && sharedWithOthers(view.readAttributes().permissions())) {
      view.setPermissions(mode);
    }
  }

  /** True when group or others may read, write or enter. */
  public static boolean sharedWithOthers(Set<PosixFilePermission> perms) {
    for (PosixFilePermission p : perms) {
      if (!p.name().startsWith("OWNER_")) {
        return true;
      }
    }
    return false;
  }

  private static FileAttribute<?>[] fileAttributes(Path file) {
    return posix(file)
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE)}
        : new FileAttribute<?>[0];
  }
}
