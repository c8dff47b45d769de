package dev.kiln.agent.http.oip;

import dev.kiln.agent.http.DecodeLimits;
import dev.kiln.agent.http.JsonCursor;
import dev.kiln.agent.runtime.DType;
import dev.kiln.agent.runtime.Tensor;

/**
 * One input's {@code "data"} read from the body's bytes into an array of the admitted size, flat or
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

  /** The tensor, read from the cursor at the value; null when the values do not fit. */
  Tensor read(JsonCursor c) {
    int maxDepth = Math.max(1, shape.length);
    int depth = 0;
    while (true) {
      // A value: arrays opening, then a number, unless an array just opened closes empty.
      boolean opened = false;
      while (c.skipTo('[')) {
        if (depth >= maxDepth) {
          return null;
        }
        depth++;
        opened = true;
      }
      if (!(opened && c.peekIs(']')) && !value(c)) {
        return null;
      }
      // After it: a comma for the next value, or arrays closing.
      while (true) {
        if (depth == 0) {
          return at == count
              ? (floats != null ? Tensor.ofFloats(shape, floats) : Tensor.ofLongs(shape, longs))
              : null;
        }
        if (c.skipTo(',')) {
          break;
        }
        if (!c.skipTo(']')) {
          return null;
        }
        depth--;
      }
    }
  }

  private boolean value(JsonCursor c) {
    if (at == count) {
      return false;
    }
    c.skipWhitespace();
    if (floats != null) {
      // A run of plain numbers at once (one or more values); the one it stops before, alone.
      int run = c.scanFloats(floats, at, count - at);
      if (run > 0) {
        at += run;
        return true;
      }
      float v = c.scanFloat();
      if (Float.isNaN(v)) {
        return false;
      }
      floats[at++] = Float.isFinite(v) ? v : limits.checked(name, v);
      return true;
    }
    if (longs != null && c.scanNumber() == JsonCursor.LONG) {
      longs[at++] = c.longValue();
      return true;
    }
    return false;
  }
}
