package dev.kiln.agent.http.oip;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.http.DecodeLimits;
import dev.kiln.agent.http.JsonNumbers;
import dev.kiln.agent.runtime.DType;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Manifest;
import java.io.IOException;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The fast path for an infer request's JSON: everything but the inputs' {@code "data"} is read as a
 * (small) tree, and each {@code "data"} is streamed straight into an array sized from the input's
 * admitted {@code shape}, with no tree and no boxed values. It needs {@code name}, {@code datatype}
 * and {@code shape} before {@code data}, as clients write them; any other order, and every body it
 * would refuse, returns null, and {@link InferRequest} then reads the whole body as a tree and
 * names the error as before.
 *
 * @param root the request with each streamed {@code "data"} replaced by JSON null
 * @param data the tensors read, by input object (identity)
 */
record StreamedRequest(JsonNode root, Map<JsonNode, Tensor> data) {

  static StreamedRequest tryParse(
      byte[] body, int jsonLength, Manifest.IoSignature signature, DecodeLimits limits) {
    try (JsonParser p = InferRequest.MAPPER.createParser(body, 0, jsonLength)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      ObjectNode root = InferRequest.MAPPER.createObjectNode();
      Map<JsonNode, Tensor> data = new IdentityHashMap<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        JsonToken value = p.nextToken();
        // A repeated key: the tree keeps the last one; let it.
        if (root.has(key)) {
          return null;
        }
        if ("inputs".equals(key) && value == JsonToken.START_ARRAY) {
          if (!readInputs(p, root.putArray("inputs"), data, signature, limits)) {
            return null;
          }
        } else {
          root.set(key, p.readValueAsTree());
        }
      }
      return new StreamedRequest(root, data);
    } catch (IOException | AgentException e) {
      return null;
    }
  }

  private static boolean readInputs(
      JsonParser p,
      ArrayNode inputs,
      Map<JsonNode, Tensor> data,
      Manifest.IoSignature signature,
      DecodeLimits limits)
      throws IOException {
    while (p.nextToken() == JsonToken.START_OBJECT) {
      ObjectNode input = inputs.addObject();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        p.nextToken();
        if (input.has(key)) {
          return false;
        }
        if ("data".equals(key)) {
          Tensor t = readData(p, input, signature, limits);
          if (t == null) {
            return false;
          }
          data.put(input, t);
          input.putNull("data");
        } else {
          input.set(key, p.readValueAsTree());
        }
      }
    }
    return p.currentToken() == JsonToken.END_ARRAY;
  }

  private static Tensor readData(
      JsonParser p, ObjectNode input, Manifest.IoSignature signature, DecodeLimits limits)
      throws IOException {
    JsonNode name = input.get("name");
    JsonNode datatype = input.get("datatype");
    if (name == null || !name.isTextual() || datatype == null || !datatype.isTextual()) {
      return null;
    }
    Manifest.TensorSpec spec = null;
    for (Manifest.TensorSpec s : signature.inputs()) {
      if (s.name().equals(name.textValue())) {
        spec = s;
      }
    }
    if (spec == null || input.get("shape") == null) {
      return null;
    }
    DType dtype = OipDatatype.forInput(spec.name(), datatype.textValue(), spec.dtype());
    long[] shape = InferRequest.shape(spec.name(), input.get("shape"));
    int count = limits.admit(spec.name(), spec, shape);
    return new Values(spec.name(), dtype, shape, count, limits).read(p);
  }

  /** One input's values, flat or nested up to its rank, as {@link JsonData} takes them. */
  private static final class Values {
    private final String name;
    private final long[] shape;
    private final DecodeLimits limits;
    private final float[] floats;
    private final long[] longs;
    private final int count;
    private int at;

    Values(String name, DType dtype, long[] shape, int count, DecodeLimits limits) {
      this.name = name;
      this.shape = shape;
      this.count = count;
      this.limits = limits;
      this.floats = dtype == DType.FLOAT32 ? new float[count] : null;
      this.longs = dtype == DType.INT64 ? new long[count] : null;
    }

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
      if (floats != null
          && (t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT)) {
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
}
