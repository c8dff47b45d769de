package dev.kiln.artifact;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Copies one artifact file without ever writing more than the size declared for it. */
final class BoundedCopy {
  private BoundedCopy() {}

  /**
   * Copies a listed file and checks it against its SHA-256 from SHA256SUMS ({@code expected}; null
   * for SHA256SUMS and manifest.sig, which it does not list). A mismatch stops the extraction
   * there.
   */
  static void copyChecked(
      InputStream in, OutputStream out, String name, long declared, String expected)
      throws IOException {
    String sha = copy(in, out, name, declared);
    if (expected != null && !expected.equals(sha)) {
      throw new ArtifactException(
          ArtifactErrorCode.CHECKSUM_MISMATCH,
          "checksum mismatch for "
              + name
              + ": expected "
              + expected
              + ", found "
              + sha
              + "; the artifact was altered or damaged in transit");
    }
  }

  /**
   * Copies an entry, refusing it as soon as it passes {@code declared} bytes: the central directory
   * may understate what the compressed data inflates to.
   */
  static String copy(InputStream in, OutputStream out, String name, long declared)
      throws IOException {
    MessageDigest digest = sha256();
    byte[] buffer = new byte[1 << 16];
    long written = 0;
    for (int n;
        (n = in.read(buffer, 0, (int) Math.min(buffer.length, declared - written + 1))) > 0; ) {
      if (written + n > declared) {
        throw new ArtifactException(
            ArtifactErrorCode.TOO_LARGE,
            name
                + " inflates past the "
                + declared
                + " bytes its archive entry declares; refusing the artifact (a zip bomb or a"
                + " corrupt archive)");
      }
      out.write(buffer, 0, n);
      digest.update(buffer, 0, n);
      written += n;
    }
    if (written != declared) {
      throw new ArtifactException(
          ArtifactErrorCode.CORRUPT_ARCHIVE,
          name + " holds " + written + " bytes but its archive entry declares " + declared);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java 17 runtime has SHA-256", e);
    }
  }
}
