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
 *
 * <p>The shape a body claims (the sizes along its first path) is checked against the signature and
 * the {@link DecodeLimits} before anything is allocated for it. Float outputs that are NaN or
 * ±Infinity are written as JSON {@code null}; a model that accepts them as inputs (opted in with
 * {@code models.acceptNonFinite}) takes {@code null} as NaN and the strings {@code "NaN"}, {@code
 * "Infinity"} and {@code "-Infinity"}.
 */
public final class JsonTensors {
  private JsonTensors() {}

  /**
   * Decodes a JSON request body, cheapest reader first: the byte scanner for the plain forms
   * ({@link JsonTensorScanner}), Jackson's streaming parser for the rest ({@link
   * JsonTensorStream}), both writing straight into each input's array, and the tree when both
   * decline the body, which they do for every body that is refused, so errors are named as {@link
   * #decode(JsonNode, Manifest.IoSignature, DecodeLimits)} names them.
   */
  public static Map<String, Tensor> decode(
      byte[] body, Manifest.IoSignature signature, DecodeLimits limits) {
    return decode(body, signature, limits, true);
  }

  /**
   * As {@link #decode(byte[], Manifest.IoSignature, DecodeLimits)}; {@code twoCores} false reads a
   * large tensor on the calling thread only, not in two halves at once (the decode bench compares
   * both).
   */
  public static Map<String, Tensor> decode(
      byte[] body, Manifest.IoSignature signature, DecodeLimits limits, boolean twoCores) {
    return decode(body, body.length, signature, limits, twoCores);
  }

  /** As above, for the first {@code length} bytes of {@code body}. */
  static Map<String, Tensor> decode(
      byte[] body,
      int length,
      Manifest.IoSignature signature,
      DecodeLimits limits,
      boolean twoCores) {
    Map<String, Tensor> fast =
        JsonTensorScanner.tryDecode(
            body, length, signature, limits, twoCores ? SecondHalf.MIN_BYTES : Integer.MAX_VALUE);
    if (fast == null) {
      fast = JsonTensorStream.tryDecode(body, length, signature, limits);
    }
    return fast != null
        ? fast
        : decode(RequestDecoder.parse(new RequestBody(body, length)), signature, limits);
  }

  /** Decodes a body already parsed into a tree; the reference the streaming pass must match. */
  public static Map<String, Tensor> decode(
      JsonNode body, Manifest.IoSignature signature, DecodeLimits limits) {
    if (body == null || !body.isObject()) {
      throw bad("body must be a JSON object with \"inputs\" or \"instances\"");
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    JsonNode inputs = body.get("inputs");
    JsonNode instances = body.get("instances");
    if (inputs != null && inputs.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = inputs.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        out.put(e.getKey(), decode(specOf(signature, e.getKey()), e.getValue(), limits));
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
          out.put(spec.name(), decode(spec, stacked, limits));
        }
        return out;
      }
      Manifest.TensorSpec only = singleInput(signature, "\"instances\" rows");
      out.put(only.name(), decode(only, instances, limits));
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

  private static Manifest.TensorSpec specOf(Manifest.IoSignature signature, String name) {
    for (Manifest.TensorSpec s : signature.inputs()) {
      if (s.name().equals(name)) {
        return s;
      }
    }
    throw bad(
        "model has no input '"
            + name
            + "'; expected inputs: "
            + signature.inputs().stream().map(Manifest.TensorSpec::name).toList());
  }

  /**
   * A nested array (or a bare number) as a tensor for {@code spec}; must be rectangular. The shape
   * is read along the first path only, and admitted by {@code limits} before the walk that fills it
   * checks every other path.
   */
  static Tensor decode(Manifest.TensorSpec spec, JsonNode node, DecodeLimits limits) {
    DType dtype = DType.fromNumpy(spec.dtype());
    int maxRank = spec.shape() == null ? Integer.MAX_VALUE : spec.shape().size();
    List<Long> dims = new ArrayList<>();
    JsonNode n = node;
    while (n.isArray()) {
      dims.add((long) n.size());
      if (n.size() == 0 || dims.size() > maxRank) {
        break;
      }
      n = n.get(0);
    }
    long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
    int count = limits.admit(spec.name(), spec, shape);
    Fill fill = new Fill(spec.name(), dtype, shape, count, limits);
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
    final DecodeLimits limits;
    int at;

    Fill(String name, DType dtype, long[] shape, int count, DecodeLimits limits) {
      this.name = name;
      this.limits = limits;
      this.dtype = dtype;
      this.shape = shape;
      this.floats = dtype == DType.FLOAT32 ? new float[count] : null;
      this.longs = dtype == DType.INT64 ? new long[count] : null;
    }

    void walk(JsonNode node, int depth) {
      if (depth == shape.length) {
        if (dtype == DType.FLOAT32 && node.isNumber()) {
          floats[at++] = limits.checked(name, node.floatValue());
        } else if (dtype == DType.FLOAT32 && limits.allowNonFinite() && nonFinite(node) != null) {
          floats[at++] = nonFinite(node);
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

  /** The non-finite value {@code node} spells for a model that accepts them, or null. */
  private static Float nonFinite(JsonNode node) {
    if (node.isNull()) {
      return Float.NaN;
    }
    return switch (node.isTextual() ? node.textValue() : "") {
      case "NaN" -> Float.NaN;
      case "Infinity" -> Float.POSITIVE_INFINITY;
      case "-Infinity" -> Float.NEGATIVE_INFINITY;
      default -> null;
    };
  }

  private static String brief(JsonNode node) {
    String s = node.toString();
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }

  /**
   * Writes {@code tensor} as nested arrays following its shape; NaN and ±Infinity as {@code null},
   * the one JSON value a float array may hold that is not a number (numpy reads it back as NaN).
   * Floats are spelled by {@link FloatText}, without a String each.
   */
  public static void write(JsonGenerator gen, Tensor tensor) throws IOException {
    write(gen, tensor, 0, new int[] {0}, new char[FloatText.MAX_CHARS]);
  }

  /** A tensor's values in order, flat, spelled as {@link #write} spells them. */
  public static void writeValues(JsonGenerator gen, Tensor t) throws IOException {
    if (t.dtype() == DType.FLOAT32) {
      char[] text = new char[FloatText.MAX_CHARS];
      for (float v : t.floats()) {
        writeFloat(gen, v, text);
      }
    } else {
      for (long v : t.longs()) {
        gen.writeNumber(v);
      }
    }
  }

  private static void write(JsonGenerator gen, Tensor t, int depth, int[] at, char[] text)
      throws IOException {
    if (depth == t.shape().length) {
      if (t.dtype() == DType.FLOAT32) {
        writeFloat(gen, t.floats()[at[0]++], text);
      } else {
        gen.writeNumber(t.longs()[at[0]++]);
      }
      return;
    }
    gen.writeStartArray();
    for (long i = 0; i < t.shape()[depth]; i++) {
      write(gen, t, depth + 1, at, text);
    }
    gen.writeEndArray();
  }

  private static void writeFloat(JsonGenerator gen, float v, char[] text) throws IOException {
    if (Float.isFinite(v)) {
      gen.writeNumber(text, 0, FloatText.write(v, text, 0));
    } else {
      gen.writeNull();
    }
  }

  static AgentException bad(String message) {
    return new AgentException(AgentErrorCode.INVALID_INPUT, message);
  }
}
