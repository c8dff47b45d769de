package dev.kiln.compiler.calibration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.compiler.ort.HostTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One sample object in JSON: {@code "inputs"} (and optional {@code "outputs"}) map names to {@code
 * {"dtype", "shape", "data"}}; {@code data} is a flat or nested list of numbers, or base64 of the
 * little-endian bytes (as in an artifact's sample.json and in fleet captures). {@code "inputs"} may
 * also be a list of tensors that carry a {@code "name"}, as capture records have them.
 */
final class TensorJson {
  private TensorJson() {}

  static Sample sample(String where, JsonNode root, ByteBudget budget) {
    if (root == null || !root.isObject()) {
      throw Refusal.of(where, "it is not a JSON object", "Write {\"inputs\": {...}} per sample");
    }
    JsonNode inputs = root.path("inputs");
    if (!(inputs.isObject() || inputs.isArray()) || inputs.isEmpty()) {
      throw Refusal.of(
          where,
          "it has no \"inputs\" object",
          "Write {\"inputs\": {NAME: {\"dtype\": \"float32\", \"shape\": [...], \"data\":"
              + " [...]}}}");
    }
    Map<String, ElementType> types = new LinkedHashMap<>();
    Map<String, HostTensor> in = tensors(where, inputs, types, budget);
    Map<String, HostTensor> out =
        root.path("outputs").isObject() || root.path("outputs").isArray()
            ? tensors(where, root.path("outputs"), new LinkedHashMap<>(), budget)
            : Map.of();
    return new Sample(where, in, out, types, false, false);
  }

  private static Map<String, HostTensor> tensors(
      String where, JsonNode node, Map<String, ElementType> types, ByteBudget budget) {
    Map<String, HostTensor> out = new LinkedHashMap<>();
    if (node.isArray()) {
      for (JsonNode t : node) {
        String name = t.path("name").asText("");
        if (name.isEmpty()) {
          throw Refusal.of(
              where, "a tensor in its list has no \"name\"", "Name every tensor, or use an object");
        }
        put(where, name, t, out, types, budget);
      }
      return out;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      put(where, e.getKey(), e.getValue(), out, types, budget);
    }
    return out;
  }

  private static void put(
      String where,
      String name,
      JsonNode t,
      Map<String, HostTensor> out,
      Map<String, ElementType> types,
      ByteBudget budget) {
    if (out.containsKey(name)) {
      throw Refusal.of(where, "tensor '" + name + "' appears twice", "Give each name once");
    }
    String dtype = t.path("dtype").asText("float32");
    ElementType type = ElementType.named(dtype);
    if (type == null) {
      throw Refusal.of(
          where,
          "tensor '" + name + "' has dtype " + dtype,
          "Use " + ElementType.NAMES + " (converted to what the model takes)");
    }
    types.put(name, type);
    out.put(name, tensor(where + " tensor '" + name + "'", type, t, budget));
  }

  private static HostTensor tensor(String where, ElementType type, JsonNode t, ByteBudget budget) {
    JsonNode shapeNode = t.path("shape");
    if (!shapeNode.isArray()) {
      throw Refusal.of(
          where, "it has no \"shape\" list", "Add \"shape\": [dims...] ([] for a scalar)");
    }
    long[] shape = new long[shapeNode.size()];
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = shapeNode.get(i);
      if (!d.canConvertToExactIntegral() || d.asLong() < 0) {
        throw Refusal.of(where, "its shape has " + d + " at " + i, "Dims are whole numbers >= 0");
      }
      shape[i] = d.asLong();
    }
    int count = Shapes.elementCount(where, shape);
    JsonNode data = t.path("data");
    if (data.isTextual()) {
      return fromBase64(where, type, shape, count, data.asText(), budget);
    }
    if (!data.isArray()) {
      throw Refusal.of(where, "it has no \"data\"", "Add \"data\": a list of numbers, or base64");
    }
    long have = leaves(data);
    if (have != count) {
      throw Refusal.of(
          where,
          "it has " + have + " values but its shape " + Shapes.format(shape) + " needs " + count,
          "Make shape and data agree (data is the tensor flattened in row-major order)");
    }
    budget.take((long) count * type.hostBytes(), where);
    if (type.floating) {
      float[] values = new float[count];
      int[] at = {0};
      fill(where, data, n -> values[at[0]++] = (float) n.asDouble(), true);
      return HostTensor.ofFloats(shape, values);
    }
    long[] values = new long[count];
    int[] at = {0};
    fill(
        where,
        data,
        n -> values[at[0]++] = n.isBoolean() ? (n.asBoolean() ? 1 : 0) : n.asLong(),
        false);
    return HostTensor.ofLongs(shape, values);
  }

  private static HostTensor fromBase64(
      String where, ElementType type, long[] shape, int count, String text, ByteBudget budget) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw Refusal.of(where, "its \"data\" string is not base64", "Give numbers, or base64", e);
    }
    if (bytes.length != (long) count * type.bytes) {
      throw Refusal.of(
          where,
          "its base64 data holds "
              + bytes.length
              + " bytes but "
              + count
              + " "
              + type.numpyName
              + " values take "
              + (long) count * type.bytes,
          "Make shape, dtype and data agree");
    }
    budget.take((long) count * type.hostBytes(), where);
    return type.decode(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN), shape, count);
  }

  /** Numbers in a flat or nested list; anything else counts as -1 so the count check fails. */
  private static long leaves(JsonNode data) {
    if (!data.isArray()) {
      return 1;
    }
    long n = 0;
    for (JsonNode child : data) {
      n += leaves(child);
    }
    return n;
  }

  private static void fill(
      String where, JsonNode data, java.util.function.Consumer<JsonNode> sink, boolean floating) {
    for (JsonNode n : data) {
      if (n.isArray()) {
        fill(where, n, sink, floating);
      } else if (n.isNumber() && (floating || n.canConvertToExactIntegral())
          || !floating && n.isBoolean()) {
        sink.accept(n);
      } else {
        throw Refusal.of(
            where,
            "its data holds " + n + ", which is not " + (floating ? "a number" : "a whole number"),
            floating
                ? "Give numbers only"
                : "Give whole numbers for integer dtypes, or say dtype float32");
      }
    }
  }
}
