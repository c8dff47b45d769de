package dev.kiln.cloud.dataset;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes NumPy {@code .npz} archives (a zip of {@code NAME.npy} files, format 1.0, little-endian, C
 * order): float32 arrays and fixed-width unicode ({@code <U}) arrays, which is all a training set
 * needs. {@code numpy.load} reads them, and so does {@code kiln compile --calibration-data}.
 */
final class NpzWriter implements AutoCloseable {
  private final ZipOutputStream zip;

  NpzWriter(Path file) throws IOException {
    this.zip = new ZipOutputStream(Files.newOutputStream(file));
  }

  /** A float32 array of {@code shape}; {@code values} in row-major order. */
  void floats(String name, long[] shape, float[] values) throws IOException {
    ByteBuffer data = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      data.putFloat(v);
    }
    entry(name, "<f4", shape, data.array());
  }

  /** A one-dimensional unicode array, as wide as its longest string. */
  void strings(String name, List<String> values) throws IOException {
    int width = 1;
    for (String s : values) {
      width = Math.max(width, s.codePointCount(0, s.length()));
    }
    ByteBuffer data = ByteBuffer.allocate(values.size() * width * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (String s : values) {
      int[] cps = s.codePoints().toArray();
      for (int i = 0; i < width; i++) {
        data.putInt(i < cps.length ? cps[i] : 0);
      }
    }
    entry(name, "<U" + width, new long[] {values.size()}, data.array());
  }

  private void entry(String name, String descr, long[] shape, byte[] data) throws IOException {
    zip.putNextEntry(new ZipEntry(name + ".npy"));
    header(zip, descr, shape);
    zip.write(data);
    zip.closeEntry();
  }

  /** Magic, version 1.0, the header length, and the header padded so data starts at 64 bytes. */
  private static void header(OutputStream out, String descr, long[] shape) throws IOException {
    StringBuilder dims = new StringBuilder();
    for (long d : shape) {
      dims.append(d).append(", ");
    }
    String tuple =
        shape.length == 1
            ? "(" + shape[0] + ",)"
            : "(" + dims.substring(0, dims.length() - 2) + ")";
    String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + tuple + ", }";
    int unpadded = 10 + dict.length() + 1;
    int padding = (64 - unpadded % 64) % 64;
    String text = dict + " ".repeat(padding) + "\n";
    ByteArrayOutputStream h = new ByteArrayOutputStream();
    h.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
    h.write(text.length() & 0xFF);
    h.write((text.length() >> 8) & 0xFF);
    h.write(text.getBytes(StandardCharsets.US_ASCII));
    out.write(h.toByteArray());
  }

  @Override
  public void close() throws IOException {
    zip.close();
  }
}
