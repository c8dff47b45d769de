package dev.kiln.agent.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.runtime.DType;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Manifest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON request bodies to tensors and tensors to nested JSON arrays. Two request forms: {@code
 * {"inputs": {name: nested array}}} and {@code {"instances": [row, ...]}} where rows are stacked
 * along a new dim 0 (rows are arrays for a single-input model, or objects of name to array).
 */
public final class JsonTensors {
  private JsonTensors() {}

  public static Map<String, Tensor> decode(JsonNode body, Manifest.IoSignature signature) {
    if (body == null || !body.isObject()) {
      throw bad("body must be a JSON object with \"inputs\" or \"instances\"");
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    JsonNode inputs = body.get("inputs");
    JsonNode instances = body.get("instances");
    if (inputs != null && inputs.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = inputs.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        out.put(e.getKey(), decode(e.getKey(), e.getValue(), dtypeOf(signature, e.getKey())));
      }
      return out;
    }
    if (instances != null && instances.isArray() && instances.size() > 0) {
      if (instances.get(0).isObject()) {
        for (Manifest.TensorSpec spec : signature.inputs()) {
          var stacked = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
          for (JsonNode row : instances) {
            JsonNode v = row.isObject() ? row.get(spec.name()) : null;
            if (v == null) {
              throw bad("every instance needs input '" + spec.name() + "'");
            }
            stacked.add(v);
          }
          out.put(spec.name(), decode(spec.name(), stacked, DType.fromNumpy(spec.dtype())));
        }
        return out;
      }
      Manifest.TensorSpec only = singleInput(signature, "\"instances\" rows");
      out.put(only.name(), decode(only.name(), instances, DType.fromNumpy(only.dtype())));
      return out;
    }
    throw bad(
        "body needs \"inputs\": {name: nested array} or a non-empty \"instances\": [row, ...]");
  }

  static Manifest.TensorSpec singleInput(Manifest.IoSignature signature, String what) {
    if (signature.inputs().size() != 1) {
      throw bad(
          what
              + " need a single-input model; this one has inputs "
              + signature.inputs().stream().map(Manifest.TensorSpec::name).toList()
              + ": send {\"inputs\": {...}}");
    }
    return signature.inputs().get(0);
  }

  private static DType dtypeOf(Manifest.IoSignature signature, String name) {
    for (Manifest.TensorSpec s : signature.inputs()) {
      if (s.name().equals(name)) {
        return DType.fromNumpy(s.dtype());
      }
    }
    throw bad(
        "model has no input '"
            + name
            + "'; expected inputs: "
            + signature.inputs().stream().map(Manifest.TensorSpec::name).toList());
  }

  /** A nested array (or a bare number) as a tensor of {@code dtype}; must be rectangular. */
  static Tensor decode(String name, JsonNode node, DType dtype) {
    List<Long> dims = new ArrayList<>();
    JsonNode n = node;
    while (n.isArray()) {
      dims.add((long) n.size());
      if (n.size() == 0) {
        break;
      }
      n = n.get(0);
    }
    long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
    int count = (int) Tensor.elementCount(shape);
    Fill fill = new Fill(name, dtype, shape, count);
    fill.walk(node, 0);
    return dtype == DType.FLOAT32
        ? Tensor.ofFloats(shape, fill.floats)
        : Tensor.ofLongs(shape, fill.longs);
  }

  private static final class Fill {
    final String name;
    final DType dtype;
    final long[] shape;
    final float[] floats;
    final long[] longs;
    int at;

    Fill(String name, DType dtype, long[] shape, int count) {
      this.name = name;
      this.dtype = dtype;
      this.shape = shape;
      this.floats = dtype == DType.FLOAT32 ? new float[count] : null;
      this.longs = dtype == DType.INT64 ? new long[count] : null;
    }

    void walk(JsonNode node, int depth) {
      if (depth == shape.length) {
        if (dtype == DType.FLOAT32 && node.isNumber()) {
          floats[at++] = node.floatValue();
        } else if (dtype == DType.INT64 && node.isIntegralNumber() && node.canConvertToLong()) {
          longs[at++] = node.longValue();
        } else {
          throw bad(
              "input '"
                  + name
                  + "' must hold "
                  + dtype.numpyName()
                  + " numbers, found "
                  + brief(node));
        }
        return;
      }
      if (!node.isArray() || node.size() != shape[depth]) {
        throw bad(
            "input '"
                + name
                + "' is not a rectangular nested array (ragged at depth "
                + depth
                + ")");
      }
      for (JsonNode child : node) {
        walk(child, depth + 1);
      }
    }
  }

  private static String brief(JsonNode node) {
    String s = node.toString();
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }

  /** Writes {@code tensor} as nested arrays following its shape. */
  public static void write(JsonGenerator gen, Tensor tensor) throws IOException {
    int[] at = {0};
    write(gen, tensor, 0, at);
  }

  private static void write(JsonGenerator gen, Tensor t, int depth, int[] at) throws IOException {
    if (depth == t.shape().length) {
      if (t.dtype() == DType.FLOAT32) {
        gen.writeNumber(t.floats()[at[0]++]);
      } else {
        gen.writeNumber(t.longs()[at[0]++]);
      }
      return;
    }
    gen.writeStartArray();
    for (long i = 0; i < t.shape()[depth]; i++) {
      write(gen, t, depth + 1, at);
    }
    gen.writeEndArray();
  }

  static AgentException bad(String message) {
    return new AgentException(AgentErrorCode.INVALID_INPUT, message);
  }
}
