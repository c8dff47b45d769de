package dev.kiln.artifact;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/** Unpacks {@code .kiln} archives, refusing entries that would escape the destination. */
public final class ArtifactArchive {
  /** No artifact file we write is near this; a larger entry is a zip bomb or a mistake. */
  private static final long MAX_ENTRY_BYTES = 4L << 30;

  private ArtifactArchive() {}

  public static void extract(Path archive, Path dest) throws IOException {
    if (!Files.isRegularFile(archive)) {
      throw new ArtifactException(ArtifactErrorCode.NOT_FOUND, "no artifact at " + archive);
    }
    Files.createDirectories(dest);
    Path root = dest.toAbsolutePath().normalize();
    int entries = 0;
    try (InputStream in = Files.newInputStream(archive);
        ZipInputStream zip = new ZipInputStream(in)) {
      for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
        entries++;
        Path to = root.resolve(entry.getName()).normalize();
        if (!to.startsWith(root) || entry.getName().startsWith("/")) {
          throw new ArtifactException(
              ArtifactErrorCode.UNSAFE_ENTRY,
              archive
                  + " holds an entry outside the artifact ("
                  + entry.getName()
                  + "); refusing it");
        }
        if (entry.isDirectory()) {
          Files.createDirectories(to);
          continue;
        }
        Files.createDirectories(to.getParent());
        long copied = Files.copy(new BoundedInputStream(zip, MAX_ENTRY_BYTES), to);
        if (copied >= MAX_ENTRY_BYTES) {
          throw new ArtifactException(
              ArtifactErrorCode.CORRUPT_ARCHIVE, entry.getName() + " is larger than 4 GiB");
        }
      }
    } catch (ZipException | java.io.EOFException e) {
      throw corrupt(archive, e);
    }
    if (entries == 0) {
      throw corrupt(archive, null);
    }
  }

  private static ArtifactException corrupt(Path archive, Exception cause) {
    return new ArtifactException(
        ArtifactErrorCode.CORRUPT_ARCHIVE,
        archive
            + " is not a readable .kiln archive (truncated or not an artifact); copy it again"
            + " or rebuild it with kiln compile",
        cause);
  }

  /** Stops reading after a limit so a hostile archive cannot fill the disk. */
  private static final class BoundedInputStream extends InputStream {
    private final InputStream in;
    private long left;

    BoundedInputStream(InputStream in, long limit) {
      this.in = in;
      this.left = limit;
    }

    @Override
    public int read() throws IOException {
      if (left <= 0) {
        return -1;
      }
      int b = in.read();
      if (b >= 0) {
        left--;
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int off, int len) throws IOException {
      if (left <= 0) {
        return -1;
      }
      int n = in.read(buffer, off, (int) Math.min(len, left));
      if (n > 0) {
        left -= n;
      }
      return n;
    }
  }
}
