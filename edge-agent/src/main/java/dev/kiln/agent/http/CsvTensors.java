package dev.kiln.agent.http;

import dev.kiln.agent.runtime.DType;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Manifest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code text/csv} bodies: one row per line, comma-separated numbers, for a model with a single 2-D
 * input. A first line that is not numeric is taken as a header and skipped. Every row must have the
 * first row's column count, and the shape is admitted by {@link DecodeLimits}, before the values
 * are allocated.
 */
public final class CsvTensors {
  private CsvTensors() {}

  public static Tensor decode(byte[] body, Manifest.IoSignature signature, DecodeLimits limits) {
    Manifest.TensorSpec spec = JsonTensors.singleInput(signature, "CSV bodies");
    if (spec.shape() != null && spec.shape().size() != 2) {
      throw JsonTensors.bad(
          "CSV bodies need a 2-D input; input '" + spec.name() + "' has shape " + spec.shape());
    }
    DType dtype = DType.fromNumpy(spec.dtype());
    String[] lines = new String(body, StandardCharsets.UTF_8).split("\r?\n");
    List<String[]> rows = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] cells = line.split(",", -1);
      if (rows.isEmpty() && i == firstNonBlank(lines) && !numeric(cells[0].strip())) {
        continue;
      }
      rows.add(cells);
    }
    if (rows.isEmpty()) {
      throw JsonTensors.bad("CSV body has no rows");
    }
    int cols = rows.get(0).length;
    for (int r = 0; r < rows.size(); r++) {
      if (rows.get(r).length != cols) {
        throw JsonTensors.bad(
            "CSV row "
                + (r + 1)
                + " has "
                + rows.get(r).length
                + " columns, the first row has "
                + cols);
      }
    }
    long[] shape = {rows.size(), cols};
    int count = limits.admit(spec.name(), spec, shape);
    float[] floats = dtype == DType.FLOAT32 ? new float[count] : null;
    long[] longs = dtype == DType.INT64 ? new long[count] : null;
    for (int r = 0; r < rows.size(); r++) {
      String[] cells = rows.get(r);
      for (int c = 0; c < cols; c++) {
        String cell = cells[c].strip();
        try {
          if (floats != null) {
            floats[r * cols + c] = limits.checked(spec.name(), Float.parseFloat(cell));
          } else {
            longs[r * cols + c] = Long.parseLong(cell);
          }
        } catch (NumberFormatException e) {
          throw JsonTensors.bad(
              "CSV row "
                  + (r + 1)
                  + " column "
                  + (c + 1)
                  + " is not a "
                  + dtype.numpyName()
                  + " number for input '"
                  + spec.name()
                  + "': '"
                  + abbreviate(cell)
                  + "'");
        }
      }
    }
    return floats != null ? Tensor.ofFloats(shape, floats) : Tensor.ofLongs(shape, longs);
  }

  private static int firstNonBlank(String[] lines) {
    for (int i = 0; i < lines.length; i++) {
      if (!lines[i].isBlank()) {
        return i;
      }
    }
    return -1;
  }

  private static boolean numeric(String cell) {
    try {
      Double.parseDouble(cell);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 20 ? s.substring(0, 20) + "..." : s;
  }
}
