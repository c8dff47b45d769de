package dev.kiln.files;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * 32-byte keys for encryption at rest, kept in a file of their own. The file holds the key either
 * as 32 raw bytes ({@code head -c 32 /dev/urandom > key}) or as its base64 text on one line (what
 * {@link #create} writes). A key file is refused when group or others may read it, and when it lies
 * inside the folder of the data it protects: the key is never in the same folder as the data, so a
 * copy of the data folder (a backup, a stolen disk image of it) does not carry its key.
 */
public final class KeyFiles {
  public static final int KEY_BYTES = 32;

  private KeyFiles() {}

  /** A key file that cannot be used; the message names the file and the fix. */
  public static final class InvalidKeyFile extends RuntimeException {
    InvalidKeyFile(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Reads the key in {@code file}, refusing it when it is open to group or others, lies inside
   * {@code dataDir}, or does not hold exactly 32 bytes.
   */
  public static byte[] read(Path file, Path dataDir) {
    Path key = file.toAbsolutePath().normalize();
    if (inside(key, dataDir)) {
      throw invalid(
          "key file "
              + file
              + " is inside the data folder "
              + dataDir
              + "; the key is never in the same folder as the data: move it elsewhere (for"
              + " example /etc/kiln/) and point the setting there",
          null);
    }
    try {
      if (OwnerOnly.posix(key)) {
        var perms = Files.getPosixFilePermissions(key);
        if (OwnerOnly.sharedWithOthers(perms)) {
          throw invalid(
              "key file "
                  + file
                  + " may be read by group or others (mode "
                  + PosixFilePermissions.toString(perms)
                  + "); run chmod 600 "
                  + file,
              null);
        }
      }
      return decode(file, Files.readAllBytes(key));
    } catch (NoSuchFileException e) {
      throw invalid("key file " + file + " does not exist", e);
    } catch (IOException e) {
      throw invalid("cannot read key file " + file + ": " + e.getMessage(), e);
    }
  }

  /** Writes a new random key to {@code file} (base64, mode 0600); fails if the file exists. */
  public static void create(Path file) throws IOException {
    byte[] key = new byte[KEY_BYTES];
    new SecureRandom().nextBytes(key);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      OwnerOnly.createDirectories(parent);
    }
    OwnerOnly.writeNew(
        file, (Base64.getEncoder().encodeToString(key) + "\n").getBytes(StandardCharsets.US_ASCII));
  }

  /** True when {@code file} (absolute, normalized) is {@code dir} or lies below it. */
  static boolean inside(Path file, Path dir) {
    if (dir == null) {
      return false;
    }
    Path d = dir.toAbsolutePath().normalize();
    if (file.startsWith(d)) {
      return true;
    }
    try {
      // Symbolic links: compare where both really are, when both exist.
      return Files.exists(file) && Files.exists(d) && file.toRealPath().startsWith(d.toRealPath());
    } catch (IOException e) {
      return false;
    }
  }

  private static byte[] decode(Path file, byte[] content) {
    if (content.length == KEY_BYTES) {
      return content;
    }
    String text = new String(content, StandardCharsets.US_ASCII).trim();
    try {
      byte[] key = Base64.getDecoder().decode(text);
      if (key.length == KEY_BYTES) {
        return key;
      }
    } catch (IllegalArgumentException e) {
      // Falls through to the message below.
    }
    throw invalid(
        "key file "
            + file
            + " must hold a 32-byte key, as 32 raw bytes or as base64 on one line; create one"
            + " with `kiln-agent keygen --capture-key FILE` or `head -c 32 /dev/urandom > FILE`",
        null);
  }

  private static InvalidKeyFile invalid(String message, Throwable cause) {
    return new InvalidKeyFile(message, cause);
  }
}
