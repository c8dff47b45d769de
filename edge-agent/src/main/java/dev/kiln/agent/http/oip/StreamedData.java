package dev.kiln.agent.http.oip;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.kiln.agent.http.DecodeLimits;
import dev.kiln.agent.http.JsonNumbers;
import dev.kiln.agent.runtime.DType;
import dev.kiln.agent.runtime.Tensor;
import java.io.IOException;

/**
 * One input's {@code "data"} streamed from the parser into an array of the admitted size, flat or
 * nested up to the input's rank, as {@link JsonData} takes it from a tree; no boxed values.
 */
final class StreamedData {
  private final String name;
  private final long[] shape;
  private final DecodeLimits limits;
  private final float[] floats;
  private final long[] longs;
  private final int count;
  private int at;

  StreamedData(String name, DType dtype, long[] shape, int count, DecodeLimits limits) {
    this.name = name;
    this.shape = shape;
    this.count = count;
    this.limits = limits;
    this.floats = dtype == DType.FLOAT32 ? new float[count] : null;
    this.longs = dtype == DType.INT64 ? new long[count] : null;
  }

  /** The tensor, the parser at the value's first token; null when the values do not fit. */
  Tensor read(JsonParser p) throws IOException {
    int maxDepth = Math.max(1, shape.length);
    int depth = 0;
    JsonToken t = p.currentToken();
    while (true) {
      if (t == JsonToken.START_ARRAY) {
        if (depth >= maxDepth) {
          return null;
        }
        depth++;
      } else if (t == JsonToken.END_ARRAY) {
        depth--;
      } else if (!value(p, t)) {
        return null;
      }
      if (depth == 0) {
        break;
      }
      t = p.nextToken();
    }
    if (at != count) {
      return null;
    }
    return floats != null ? Tensor.ofFloats(shape, floats) : Tensor.ofLongs(shape, longs);
  }

  private boolean value(JsonParser p, JsonToken t) throws IOException {
    if (at == count) {
      return false;
    }
    if (floats != null && (t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT)) {
      floats[at++] = limits.checked(name, JsonNumbers.asFloat(p));
      return true;
    }
    if (longs != null
        && t == JsonToken.VALUE_NUMBER_INT
        && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
      longs[at++] = p.getLongValue();
      return true;
    }
    return false;
  }
}
