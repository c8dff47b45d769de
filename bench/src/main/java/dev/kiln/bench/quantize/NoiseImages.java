package dev.kiln.bench.quantize;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * A calibration set of seeded standard-normal inputs as one .npy (samples stacked on axis 0). The
 * sample models have seeded random weights, so there are no real images that would mean more.
 */
final class NoiseImages {
  private NoiseImages() {}

  static Path write(Path file, long[] shape, int samples, long seed) throws IOException {
    StringBuilder dims = new StringBuilder().append(samples);
    int size = 1;
    for (long d : shape) {
      dims.append(", ").append(d);
      size *= (int) d;
    }
    String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
    int unpadded = 10 + header.length() + 1;
    header = header + " ".repeat((64 - unpadded % 64) % 64) + "\n";
    Random random = new Random(seed);
    try (OutputStream out = Files.newOutputStream(file)) {
      ByteBuffer prefix = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
      prefix.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII));
      prefix.put((byte) 1).put((byte) 0).putShort((short) header.length());
      out.write(prefix.array());
      out.write(header.getBytes(StandardCharsets.US_ASCII));
      ByteBuffer values = ByteBuffer.allocate(size * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (int s = 0; s < samples; s++) {
        values.clear();
        for (int i = 0; i < size; i++) {
          values.putFloat((float) random.nextGaussian());
        }
        out.write(values.array());
      }
    }
    return file;
  }
}
