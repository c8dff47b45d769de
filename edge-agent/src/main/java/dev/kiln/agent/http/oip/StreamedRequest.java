package dev.kiln.agent.http.oip;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
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
          root.set(key, tree(p));
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
          input.set(key, tree(p));
        }
      }
    }
    return p.currentToken() == JsonToken.END_ARRAY;
  }

  /**
   * The value at the parser as a tree, built as the mapper's {@code readTree} builds it (ints by
   * size, other numbers as doubles, the last of repeated keys) without going through the mapper:
   * each {@code readValueAsTree} set up a deserialization context, and the few small values of an
   * infer request (name, datatype, shape, parameters, outputs) then cost more than a binary
   * tensor's bytes.
   */
  private static JsonNode tree(JsonParser p) throws IOException {
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    return switch (p.currentToken()) {
      case START_OBJECT -> {
        ObjectNode object = nodes.objectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          p.nextToken();
          object.set(key, tree(p));
        }
        yield object;
      }
      case START_ARRAY -> {
        ArrayNode array = nodes.arrayNode();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          array.add(tree(p));
        }
        yield array;
      }
      case VALUE_STRING -> nodes.textNode(p.getText());
      case VALUE_NUMBER_INT ->
          switch (p.getNumberType()) {
            case INT -> nodes.numberNode(p.getIntValue());
            case LONG -> nodes.numberNode(p.getLongValue());
            default -> nodes.numberNode(p.getBigIntegerValue());
          };
      case VALUE_NUMBER_FLOAT -> nodes.numberNode(p.getDoubleValue());
      case VALUE_TRUE -> nodes.booleanNode(true);
      case VALUE_FALSE -> nodes.booleanNode(false);
      case VALUE_NULL -> nodes.nullNode();
        // Anything else is not JSON the infer request can hold: the tree decoder names it.
      default -> throw new IOException("unexpected token " + p.currentToken());
    };
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
