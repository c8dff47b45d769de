package dev.kiln.cli.bundle;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * A minimal POSIX ustar writer: regular files and directories, owner root, one fixed mtime. That is
 * all a bundle needs, and it keeps the output byte-identical for identical inputs (GZIP's own
 * header carries no time when written by java.util.zip).
 */
final class TarGzWriter implements Closeable {
  /** 2026-01-01T00:00:00Z, the same instant the build stamps into jars. */
  static final long FIXED_MTIME = 1767225600L;

  private static final int BLOCK = 512;

  private final OutputStream out;
  private long written;

  TarGzWriter(OutputStream target) throws IOException {
    this.out = new GZIPOutputStream(target, 1 << 16);
  }

  void directory(String name) throws IOException {
    header(name.endsWith("/") ? name : name + "/", 0755, 0, '5');
  }

  void file(String name, int mode, Path source) throws IOException {
    long size = Files.size(source);
    header(name, mode, size, '0');
    try (InputStream in = Files.newInputStream(source)) {
      long copied = in.transferTo(out);
      if (copied != size) {
        throw new IOException(source + " changed size while being bundled");
      }
    }
    written += size;
    pad();
  }

  void file(String name, int mode, byte[] content) throws IOException {
    header(name, mode, content.length, '0');
    out.write(content);
    written += content.length;
    pad();
  }

  @Override
  public void close() throws IOException {
    out.write(new byte[2 * BLOCK]);
    out.close();
  }

  private void header(String name, int mode, long size, char type) throws IOException {
    byte[] header = new byte[BLOCK];
    byte[] full = name.getBytes(StandardCharsets.UTF_8);
    String prefix = "";
    String shortName = name;
    if (full.length > 100) {
      // ustar splits a long path at a '/' into prefix (155 bytes) and name (100 bytes).
      boolean split = false;
      for (int i = name.indexOf('/'); i > 0 && !split; i = name.indexOf('/', i + 1)) {
        String head = name.substring(0, i);
        String tail = name.substring(i + 1);
        if (!tail.isEmpty() && utf8Length(head) <= 155 && utf8Length(tail) <= 100) {
          prefix = head;
          shortName = tail;
          split = true;
        }
      }
      if (!split) {
        throw new IOException("path too long for a tar entry: " + name);
      }
    }
    put(header, 0, 100, shortName.getBytes(StandardCharsets.UTF_8));
    octal(header, 100, 8, mode);
    octal(header, 108, 8, 0);
    octal(header, 116, 8, 0);
    octal(header, 124, 12, size);
    octal(header, 136, 12, FIXED_MTIME);
    header[156] = (byte) type;
    put(header, 257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
    put(header, 263, 2, "00".getBytes(StandardCharsets.US_ASCII));
    put(header, 265, 32, "root".getBytes(StandardCharsets.US_ASCII));
    put(header, 297, 32, "root".getBytes(StandardCharsets.US_ASCII));
    put(header, 345, 155, prefix.getBytes(StandardCharsets.UTF_8));
    // The checksum is computed with its own field read as spaces.
    for (int i = 148; i < 156; i++) {
      header[i] = ' ';
    }
    long sum = 0;
    for (byte b : header) {
      sum += b & 0xff;
    }
    byte[] checksum = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
    put(header, 148, 8, checksum);
    out.write(header);
  }

  private static int utf8Length(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }

  private void pad() throws IOException {
    int remainder = (int) (written % BLOCK);
    if (remainder != 0) {
      out.write(new byte[BLOCK - remainder]);
      written += BLOCK - remainder;
    }
  }

  private static void put(byte[] header, int offset, int length, byte[] value) throws IOException {
    if (value.length > length) {
      throw new IOException("tar header field overflow at offset " + offset);
    }
    System.arraycopy(value, 0, header, offset, value.length);
  }

  private static void octal(byte[] header, int offset, int length, long value) throws IOException {
    String digits = Long.toOctalString(value);
    if (digits.length() > length - 1) {
      throw new IOException("value " + value + " does not fit a tar header field");
    }
    String padded = "0".repeat(length - 1 - digits.length()) + digits;
    put(header, offset, length, (padded + "\0").getBytes(StandardCharsets.US_ASCII));
  }
}
