package dev.kiln.cli.compile;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.artifact.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Calibration sets for the quantize tests, written in the formats --calibration-data reads. */
final class CalibrationFiles {
  private CalibrationFiles() {}

  /**
   * JSONL, one sample of one float input per line, standard normal values times {@code scale}. A
   * sample is held out by the compiler when its 1-based index is a multiple of 5; {@code
   * heldOutScale} multiplies those instead, so a set can calibrate on data unlike what it judges.
   */
  static Path jsonl(
      Path file,
      String input,
      long[] shape,
      int samples,
      long seed,
      double scale,
      double heldOutScale)
      throws IOException {
    Random random = new Random(seed);
    int size = 1;
    for (long d : shape) {
      size *= (int) d;
    }
    StringBuilder out = new StringBuilder();
    for (int s = 0; s < samples; s++) {
      double k = (s + 1) % 5 == 0 ? heldOutScale : scale;
      ObjectNode tensor = Json.MAPPER.createObjectNode().put("dtype", "float32");
      ArrayNode dims = tensor.putArray("shape");
      for (long d : shape) {
        dims.add(d);
      }
      ArrayNode data = tensor.putArray("data");
      for (int i = 0; i < size; i++) {
        data.add((float) (random.nextGaussian() * k));
      }
      ObjectNode root = Json.MAPPER.createObjectNode();
      root.putObject("inputs").set(input, tensor);
      out.append(
              Json.MAPPER
                  .writer()
                  .without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                  .writeValueAsString(root))
          .append('\n');
    }
    Files.writeString(file, out.toString(), StandardCharsets.UTF_8);
    return file;
  }

  /** A .npy of {@code samples} standard normal samples of {@code shape}, stacked on axis 0. */
  static Path npy(Path file, long[] shape, int samples, long seed) throws IOException {
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
