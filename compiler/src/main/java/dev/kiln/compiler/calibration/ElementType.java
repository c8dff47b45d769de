package dev.kiln.compiler.calibration;

import dev.kiln.compiler.ort.HostTensor;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Locale;

/**
 * The element types calibration files may hold, by numpy name. Verification runs float32 and int64
 * inputs (see {@link HostTensor}), so floats are read as float32 (float64 is narrowed, with a note)
 * and integers and booleans as int64 (exact); {@link CalibrationSet#forModel} then refuses a float
 * file for an integer input and the other way round.
 */
enum ElementType {
  FLOAT32("float32", 4, true),
  FLOAT64("float64", 8, true),
  INT64("int64", 8, false),
  INT32("int32", 4, false),
  INT16("int16", 2, false),
  INT8("int8", 1, false),
  UINT8("uint8", 1, false),
  BOOL("bool", 1, false);

  static final String NAMES = "float32, float64, int64, int32, int16, int8, uint8 or bool";

  final String numpyName;
  final int bytes;
  final boolean floating;

  ElementType(String numpyName, int bytes, boolean floating) {
    this.numpyName = numpyName;
    this.bytes = bytes;
    this.floating = floating;
  }

  /** By numpy name, or null when Kiln does not read it. */
  static ElementType named(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(t -> t.numpyName.equals(n)).findFirst().orElse(null);
  }

  /** The dtype the values travel as: float32 or int64. */
  String hostDtype() {
    return floating ? "float32" : "int64";
  }

  /** Bytes one element takes once decoded for the host (float32: 4, int64: 8). */
  int hostBytes() {
    return floating ? 4 : 8;
  }

  /** Decodes {@code count} elements at the buffer's position, in the buffer's byte order. */
  HostTensor decode(ByteBuffer in, long[] shape, int count) {
    if (floating) {
      float[] out = new float[count];
      for (int i = 0; i < count; i++) {
        out[i] = this == FLOAT32 ? in.getFloat() : (float) in.getDouble();
      }
      return HostTensor.ofFloats(shape, out);
    }
    long[] out = new long[count];
    for (int i = 0; i < count; i++) {
      out[i] =
          switch (this) {
            case INT64 -> in.getLong();
            case INT32 -> in.getInt();
            case INT16 -> in.getShort();
            case INT8 -> in.get();
            case UINT8 -> in.get() & 0xff;
            case BOOL -> in.get() != 0 ? 1 : 0;
            default -> throw new IllegalStateException(numpyName);
          };
    }
    return HostTensor.ofLongs(shape, out);
  }
}
