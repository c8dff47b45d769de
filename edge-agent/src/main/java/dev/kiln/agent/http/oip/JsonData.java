package dev.kiln.agent.http.oip;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.agent.http.DecodeLimits;
import dev.kiln.agent.runtime.DType;
import dev.kiln.agent.runtime.Tensor;
import java.util.Arrays;

/**
 * An input's {@code "data"}: row-major values, either flat or nested up to the input's rank. The
 * array is sized from the admitted shape, so extra values are refused as they are met, never
 * stored.
 */
final class JsonData {
  private final String name;
  private final DType dtype;
  private final long[] shape;
  private final DecodeLimits limits;
  private final float[] floats;
  private final long[] longs;
  private final int count;
  private int at;

  private JsonData(String name, DType dtype, long[] shape, int count, DecodeLimits limits) {
    this.name = name;
    this.dtype = dtype;
    this.shape = shape;
    this.count = count;
    this.limits = limits;
    this.floats = dtype == DType.FLOAT32 ? new float[count] : null;
    this.longs = dtype == DType.INT64 ? new long[count] : null;
  }

  static Tensor read(
      String name, DType dtype, long[] shape, int count, JsonNode data, DecodeLimits limits) {
    JsonData reader = new JsonData(name, dtype, shape, count, limits);
    reader.walk(data, 0);
    if (reader.at != count) {
      throw reader.countMismatch(reader.at + " values");
    }
    return dtype == DType.FLOAT32
        ? Tensor.ofFloats(shape, reader.floats)
        : Tensor.ofLongs(shape, reader.longs);
  }

  private void walk(JsonNode node, int depth) {
    if (node.isArray()) {
      if (depth >= Math.max(1, shape.length)) {
        throw InferRequest.bad(
            "input '" + name + "': data is nested deeper than its shape " + Arrays.toString(shape));
      }
      for (JsonNode child : node) {
        walk(child, depth + 1);
      }
      return;
    }
    if (at == count) {
      throw countMismatch("more values");
    }
    if (dtype == DType.FLOAT32 && node.isNumber()) {
      floats[at++] = limits.checked(name, node.floatValue());
    } else if (dtype == DType.INT64 && node.isIntegralNumber() && node.canConvertToLong()) {
      longs[at++] = node.longValue();
    } else {
      String s = node.toString();
      throw InferRequest.bad(
          "input '"
              + name
              + "' is "
              + OipDatatype.of(dtype)
              + " but its data holds "
              + (s.length() > 40 ? s.substring(0, 40) + "..." : s));
    }
  }

  private RuntimeException countMismatch(String found) {
    return InferRequest.bad(
        "input '"
            + name
            + "' has shape "
            + Arrays.toString(shape)
            + " ("
            + count
            + " values) but its data holds "
            + found);
  }
}
