package dev.kiln.agent.http;

import dev.kiln.agent.runtime.DType;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Manifest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * numpy {@code .npy} files (format 1.0 and 2.0), little-endian float32 ({@code <f4}) or int64
 * ({@code <i8}), C order. Every size in the header is checked against the bytes that follow, and
 * the shape against the model's input and {@link DecodeLimits}, before anything is allocated, so a
 * hostile header cannot make the agent allocate gigabytes.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private Npy() {}

  /** Reads a .npy file from a trusted source: no signature to check, NaN and Infinity kept. */
  public static Tensor read(byte[] bytes) {
    return read(bytes, null, DecodeLimits.forBody(bytes.length, true));
  }

  /**
   * Reads a request body for the input {@code spec} (null: any shape).
   *
   * @throws dev.kiln.agent.AgentException INVALID_INPUT naming what is wrong with the body
   */
  public static Tensor read(byte[] bytes, Manifest.TensorSpec spec, DecodeLimits limits) {
    return read(bytes, bytes.length, spec, limits);
  }

  /** As above, for the first {@code length} bytes of {@code bytes}. */
  static Tensor read(byte[] bytes, int length, Manifest.TensorSpec spec, DecodeLimits limits) {
    if (length < 10) {
      throw JsonTensors.bad("not a .npy file: too short");
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (bytes[i] != MAGIC[i]) {
        throw JsonTensors.bad("not a .npy file: missing the \\x93NUMPY magic");
      }
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int major = bytes[6];
    int headerLen;
    int headerStart;
    if (major == 1) {
      headerLen = Short.toUnsignedInt(buf.getShort(8));
      headerStart = 10;
    } else if (major == 2 || major == 3) {
      if (length < 12) {
        throw JsonTensors.bad("not a .npy file: too short");
      }
      headerLen = buf.getInt(8);
      headerStart = 12;
    } else {
      throw JsonTensors.bad(".npy format version " + major + " is not supported (use 1.0)");
    }
    if (headerLen < 0 || headerStart + (long) headerLen > length) {
      throw JsonTensors.bad(".npy header length " + headerLen + " exceeds the body");
    }
    String header = new String(bytes, headerStart, headerLen, StandardCharsets.ISO_8859_1);
    String descr = group(DESCR, header, "descr");
    if ("True".equals(group(FORTRAN, header, "fortran_order"))) {
      throw JsonTensors.bad(".npy arrays in Fortran order are not supported; save with C order");
    }
    DType dtype =
        switch (descr) {
          case "<f4" -> DType.FLOAT32;
          case "<i8" -> DType.INT64;
          default ->
              throw JsonTensors.bad(
                  ".npy dtype '"
                      + descr
                      + "' is not supported; send '<f4' (float32) or '<i8' (int64)");
        };
    long[] shape = parseShape(group(SHAPE, header, "shape"));
    long count = Tensor.elementCount(shape);
    int dataStart = headerStart + headerLen;
    long available = length - dataStart;
    if (count > available || count * dtype.bytes() != available) {
      throw JsonTensors.bad(
          ".npy shape needs "
              + count * dtype.bytes()
              + " data bytes but the body has "
              + available);
    }
    String input = spec == null ? "(npy)" : spec.name();
    limits.admit(input, spec, shape);
    buf.position(dataStart);
    if (dtype == DType.FLOAT32) {
      float[] values = new float[(int) count];
      buf.asFloatBuffer().get(values);
      limits.checkedAll(input, values);
      return Tensor.ofFloats(shape, values);
    }
    long[] values = new long[(int) count];
    buf.asLongBuffer().get(values);
    return Tensor.ofLongs(shape, values);
  }

  /** Writes a tensor as .npy 1.0, for clients and tests. */
  public static byte[] write(Tensor t) {
    StringBuilder dims = new StringBuilder();
    for (int i = 0; i < t.shape().length; i++) {
      dims.append(i == 0 ? "" : ", ").append(t.shape()[i]);
    }
    if (t.shape().length == 1) {
      dims.append(',');
    }
    String descr = t.dtype() == DType.FLOAT32 ? "<f4" : "<i8";
    StringBuilder header =
        new StringBuilder(
            "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }");
    while ((10 + header.length() + 1) % 64 != 0) {
      header.append(' ');
    }
    header.append('\n');
    byte[] h = header.toString().getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer buf =
        ByteBuffer.allocate(10 + h.length + t.size() * t.dtype().bytes())
            .order(ByteOrder.LITTLE_ENDIAN);
    buf.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) h.length).put(h);
    for (int i = 0; i < t.size(); i++) {
      if (t.dtype() == DType.FLOAT32) {
        buf.putFloat(t.floats()[i]);
      } else {
        buf.putLong(t.longs()[i]);
      }
    }
    return buf.array();
  }

  private static long[] parseShape(String text) {
    List<Long> dims = new ArrayList<>();
    for (String part : text.split(",")) {
      String p = part.strip();
      if (p.isEmpty()) {
        continue;
      }
      try {
        dims.add(Long.parseLong(p.endsWith("L") ? p.substring(0, p.length() - 1) : p));
      } catch (NumberFormatException e) {
        throw JsonTensors.bad(".npy shape '(" + text + ")' is not a tuple of integers");
      }
    }
    return dims.stream().mapToLong(Long::longValue).toArray();
  }

  private static String group(Pattern p, String header, String key) {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw JsonTensors.bad(".npy header lacks '" + key + "'");
    }
    return m.group(1);
  }
}
