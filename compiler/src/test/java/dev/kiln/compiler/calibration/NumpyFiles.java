package dev.kiln.compiler.calibration;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Writes .npy and .npz bytes exactly as numpy's np.save and np.savez lay them out (format 1.0). */
final class NumpyFiles {
  private NumpyFiles() {}

  static byte[] npy(String descr, long[] shape, byte[] data) {
    return npy(descr, false, shape, data);
  }

  static byte[] npy(String descr, boolean fortran, long[] shape, byte[] data) {
    StringBuilder dims = new StringBuilder();
    for (long d : shape) {
      dims.append(d).append(", ");
    }
    String tuple = shape.length == 1 ? shape[0] + "," : dims.toString().replaceAll(", $", "");
    String dict =
        "{'descr': '"
            + descr
            + "', 'fortran_order': "
            + (fortran ? "True" : "False")
            + ", 'shape': ("
            + tuple
            + "), }";
    int unpadded = 10 + dict.length() + 1;
    String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
    ByteBuffer out = ByteBuffer.allocate(10 + header.length() + data.length);
    out.order(ByteOrder.LITTLE_ENDIAN);
    out.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
    out.putShort((short) header.length());
    out.put(header.getBytes(StandardCharsets.ISO_8859_1));
    out.put(data);
    return out.array();
  }

  static byte[] floats(ByteOrder order, float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(order);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  static byte[] floats(float... values) {
    return floats(ByteOrder.LITTLE_ENDIAN, values);
  }

  static byte[] doubles(double... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : values) {
      b.putDouble(v);
    }
    return b.array();
  }

  static float[] range(int n) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = i;
    }
    return out;
  }

  static Path write(Path file, byte[] bytes) throws IOException {
    Files.write(file, bytes);
    return file;
  }

  /** A zip of NAME.npy entries, deflated as np.savez_compressed does. */
  static Path npz(Path file, Map<String, byte[]> arrays) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> e : arrays.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    return write(file, bytes.toByteArray());
  }

  /** Streams zeros into a deflated entry without holding them: a zip bomb of {@code size}. */
  static void bomb(OutputStream out, String name, long size) throws IOException {
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry(name));
      byte[] zeros = new byte[1 << 16];
      for (long left = size; left > 0; left -= zeros.length) {
        zip.write(zeros, 0, (int) Math.min(zeros.length, left));
      }
      zip.closeEntry();
    }
  }
}
