package dev.kiln.agent;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Tiny ONNX models written as protobuf bytes by hand (no onnx library on the test classpath):
 * enough to chain after the sample MLP in pipelines and to make the engine fail on demand.
 */
public final class TestOnnx {
  private static final int FLOAT = 1;
  private static final int INT64 = 7;

  private TestOnnx() {}

  /** {@code output = Identity(input)}, float32 {@code [batch, width]}. */
  public static byte[] identity(int width) {
    byte[] graph =
        concat(
            field(1, node("Identity", "input", "output")),
            field(2, str("identity")),
            field(11, valueInfo("input", width)),
            field(12, valueInfo("output", width)));
    return model(graph);
  }

  /**
   * {@code output = Reshape(input, [2, width])}: declared {@code [batch, width]} but only runs with
   * exactly 2 rows, so any other batch size is an engine error after validation passed.
   */
  public static byte[] onlyTwoRows(int width) {
    byte[] shape =
        concat(
            varintField(1, 2), // dims: [2], a 1-D shape tensor
            varintField(2, INT64),
            field(7, concat(varint(2), varint(width))), // packed int64_data
            field(8, str("shape")));
    byte[] graph =
        concat(
            field(
                1,
                concat(
                    field(1, str("input")),
                    field(1, str("shape")),
                    field(2, str("output")),
                    field(4, str("Reshape")))),
            field(2, str("two_rows")),
            field(5, shape),
            field(11, valueInfo("input", width)),
            field(12, valueInfo("output", width)));
    return model(graph);
  }

  /** {@code output = Identity(input)}, int64 {@code [batch, width]}. */
  public static byte[] identityInt64(int width) {
    byte[] graph =
        concat(
            field(1, node("Identity", "input", "output")),
            field(2, str("identity_int64")),
            field(11, valueInfo("input", width, INT64)),
            field(12, valueInfo("output", width, INT64)));
    return model(graph);
  }

  /**
   * Two outputs of two datatypes from one float32 {@code [batch, width]} input: {@code output =
   * Identity(input)} and {@code ids = Cast<int64>(input)}.
   */
  public static byte[] floatAndInt64Outputs(int width) {
    byte[] to = concat(field(1, str("to")), varintField(3, INT64), varintField(20, 2));
    byte[] cast =
        concat(field(1, str("input")), field(2, str("ids")), field(4, str("Cast")), field(5, to));
    byte[] graph =
        concat(
            field(1, node("Identity", "input", "output")),
            field(1, cast),
            field(2, str("two_outputs")),
            field(11, valueInfo("input", width, FLOAT)),
            field(12, valueInfo("output", width, FLOAT)),
            field(12, valueInfo("ids", width, INT64)));
    return model(graph);
  }

  private static byte[] model(byte[] graph) {
    byte[] opset = concat(field(1, str("")), varintField(2, 13));
    return concat(varintField(1, 7), field(2, str("kiln-tests")), field(7, graph), field(8, opset));
  }

  private static byte[] node(String op, String input, String output) {
    return concat(field(1, str(input)), field(2, str(output)), field(4, str(op)));
  }

  private static byte[] valueInfo(String name, int width) {
    return valueInfo(name, width, FLOAT);
  }

  private static byte[] valueInfo(String name, int width, int elemType) {
    byte[] batch = field(2, str("batch"));
    byte[] fixed = varintField(1, width);
    byte[] shape = concat(field(1, batch), field(1, fixed));
    byte[] tensor = concat(varintField(1, elemType), field(2, shape));
    return concat(field(1, str(name)), field(2, field(1, tensor)));
  }

  private static byte[] str(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] field(int number, byte[] payload) {
    return concat(varint((number << 3) | 2), varint(payload.length), payload);
  }

  private static byte[] varintField(int number, long value) {
    return concat(varint(number << 3), varint(value));
  }

  private static byte[] varint(long value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while ((value & ~0x7FL) != 0) {
      out.write((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
