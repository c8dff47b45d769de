package dev.kiln.compiler.calibration;

import java.util.ArrayList;
import java.util.List;

/** Element counts that cannot overflow, and shapes written as dims joined by 'x'. */
final class Shapes {
  /** Java arrays end here; a tensor over it could not be held anyway. */
  static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  private Shapes() {}

  static int elementCount(Object where, long[] shape) {
    long count = 1;
    for (long d : shape) {
      if (d < 0) {
        throw Refusal.of(where, "its shape has a negative dim", "Dims are whole numbers >= 0");
      }
      if (d != 0 && count > MAX_ELEMENTS / d) {
        throw Refusal.of(
            where,
            "its shape " + format(shape) + " has more than " + MAX_ELEMENTS + " elements",
            "Use smaller tensors");
      }
      count *= d;
    }
    return (int) count;
  }

  static String format(long[] shape) {
    if (shape.length == 0) {
      return "scalar";
    }
    List<String> dims = new ArrayList<>();
    for (long d : shape) {
      dims.add(Long.toString(d));
    }
    return String.join("x", dims);
  }
}
