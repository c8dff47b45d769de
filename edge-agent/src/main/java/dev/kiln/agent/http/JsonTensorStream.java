package dev.kiln.agent.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Manifest;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The streaming path for JSON request bodies that {@link JsonTensorScanner} declines (other keys
 * beside the tensors, escaped names, spelled-out non-finite values): Jackson's streaming parser
 * feeds each number to a {@link TensorAssembler}, with no tree and no boxed values.
 *
 * <p>It reads what well-formed requests send: {@code {"inputs": {name: nested array}}} and {@code
 * {"instances": [array, ...]}}. Anything else, and every body it would refuse (ragged rows, wrong
 * types, a shape the signature does not take, NaN where the model refuses it, invalid JSON),
 * returns null: the caller then decodes with {@link JsonTensors}, which names the error exactly as
 * it always has. A refused body thus costs what every body cost before; a good one costs one pass
 * and one array per input.
 */
final class JsonTensorStream {
  private static final JsonFactory FACTORY = RequestDecoder.FACTORY;

  private JsonTensorStream() {}

  /** The tensors in {@code body}, or null when the tree decoder must read it (see class doc). */
  static Map<String, Tensor> tryDecode(
      byte[] body, int length, Manifest.IoSignature signature, DecodeLimits limits) {
    try (JsonParser p = FACTORY.createParser(body, 0, length)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      Map<String, Tensor> out = null;
      boolean seenInputs = false;
      boolean seenInstances = false;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        JsonToken value = p.nextToken();
        if ("inputs".equals(key) || "instances".equals(key)) {
          // The tree decoder's precedence between the two, and its last-key-wins on duplicates,
          // are kept by letting it read such bodies.
          if (seenInputs || seenInstances) {
            return null;
          }
          seenInputs = "inputs".equals(key);
          seenInstances = !seenInputs;
          out =
              seenInputs
                  ? readInputs(p, value, signature, limits)
                  : readInstances(p, value, signature, limits);
          if (out == null) {
            return null;
          }
        } else {
          p.skipChildren();
        }
      }
      return p.currentToken() == JsonToken.END_OBJECT ? out : null;
    } catch (IOException | AgentException e) {
      return null;
    }
  }

  private static Map<String, Tensor> readInputs(
      JsonParser p, JsonToken value, Manifest.IoSignature signature, DecodeLimits limits)
      throws IOException {
    if (value != JsonToken.START_OBJECT) {
      return null;
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      Manifest.TensorSpec spec = specOf(signature, p.currentName());
      if (spec == null) {
        return null;
      }
      p.nextToken();
      Tensor t = new Reader(spec, limits).read(p, 0);
      if (t == null) {
        return null;
      }
      out.put(spec.name(), t);
    }
    return out;
  }

  private static Map<String, Tensor> readInstances(
      JsonParser p, JsonToken value, Manifest.IoSignature signature, DecodeLimits limits)
      throws IOException {
    if (value != JsonToken.START_ARRAY || signature.inputs().size() != 1) {
      return null;
    }
    Manifest.TensorSpec only = signature.inputs().get(0);
    Reader reader = new Reader(only, limits);
    if (!reader.open(0)) {
      return null;
    }
    JsonToken first = p.nextToken();
    // Rows that are objects (one array per input) are stacked by the tree decoder.
    if (first == JsonToken.START_OBJECT || first == JsonToken.END_ARRAY) {
      return null;
    }
    Tensor t = reader.read(p, 1);
    return t == null ? null : Map.of(only.name(), t);
  }

  private static Manifest.TensorSpec specOf(Manifest.IoSignature signature, String name) {
    for (Manifest.TensorSpec s : signature.inputs()) {
      if (s.name().equals(name)) {
        return s;
      }
    }
    return null;
  }

  /** Feeds Jackson's tokens for one nested array to an assembler. */
  private static final class Reader {
    private final TensorAssembler assembler;

    Reader(Manifest.TensorSpec spec, DecodeLimits limits) {
      this.assembler = new TensorAssembler(spec, limits);
    }

    boolean open(int depth) {
      return assembler.open(depth);
    }

    /** Reads from the current token, with {@code depth} arrays already open; null if refused. */
    Tensor read(JsonParser p, int depth) throws IOException {
      JsonToken t = p.currentToken();
      while (true) {
        if (t == JsonToken.START_ARRAY) {
          if (!assembler.open(depth)) {
            return null;
          }
          depth++;
        } else if (t == JsonToken.END_ARRAY) {
          depth--;
          if (!assembler.close(depth)) {
            return null;
          }
          if (depth == 0) {
            return assembler.finish();
          }
        } else {
          if (!scalar(p, t, depth)) {
            return null;
          }
          if (depth == 0) {
            return assembler.finish();
          }
        }
        t = p.nextToken();
      }
    }

    private boolean scalar(JsonParser p, JsonToken t, int depth) throws IOException {
      if (assembler.takesFloats()) {
        if (t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT) {
          return assembler.addFloat(
              assembler.limits().checked(assembler.name(), JsonNumbers.asFloat(p)), depth);
        }
        Float v = assembler.limits().allowNonFinite() ? nonFinite(p, t) : null;
        return v != null && assembler.addFloat(v, depth);
      }
      if (t != JsonToken.VALUE_NUMBER_INT
          || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
        return false;
      }
      return assembler.addLong(p.getLongValue(), depth);
    }

    private static Float nonFinite(JsonParser p, JsonToken t) throws IOException {
      if (t == JsonToken.VALUE_NULL) {
        return Float.NaN;
      }
      if (t != JsonToken.VALUE_STRING) {
        return null;
      }
      return switch (p.getText()) {
        case "NaN" -> Float.NaN;
        case "Infinity" -> Float.POSITIVE_INFINITY;
        case "-Infinity" -> Float.NEGATIVE_INFINITY;
        default -> null;
      };
    }
  }
}
