package dev.kiln.agent.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.runtime.DType;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Manifest;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fast path for JSON request bodies: Jackson's streaming parser writes each number straight
 * into the input's primitive array, with no tree and no boxed values. The array is sized from the
 * signature (a dynamic dimension counted as 1) and never beyond {@link DecodeLimits#maxElements},
 * so a small body cannot make it allocate much; it grows only for larger batches.
 *
 * <p>It reads what well-formed requests send: {@code {"inputs": {name: nested array}}} and {@code
 * {"instances": [array, ...]}}. Anything else, and every body it would refuse (ragged rows, wrong
 * types, a shape the signature does not take, NaN where the model refuses it, invalid JSON),
 * returns null: the caller then decodes with {@link JsonTensors}, which names the error exactly as
 * it always has. A refused body thus costs what every body cost before; a good one costs one pass
 * and one array per input.
 */
final class JsonTensorStream {
  private static final JsonFactory FACTORY = RequestDecoder.MAPPER.getFactory();

  /** Nesting allowed when the signature gives no rank; ranks beyond this are not tensors. */
  static final int MAX_RANK_WITHOUT_SIGNATURE = 32;

  private JsonTensorStream() {}

  /** The tensors in {@code body}, or null when the tree decoder must read it (see class doc). */
  static Map<String, Tensor> tryDecode(
      byte[] body, Manifest.IoSignature signature, DecodeLimits limits) {
    try (JsonParser p = FACTORY.createParser(body)) {
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

  /**
   * Reads one nested array. The rank is fixed by the first scalar met, each dimension by the first
   * array closed at its depth; every later array must match, which is what rectangular means.
   */
  private static final class Reader {
    private final Manifest.TensorSpec spec;
    private final DecodeLimits limits;
    private final boolean floats;
    private final int maxDepth;
    private final long[] dims;
    private final boolean[] dimKnown;
    private final long[] counts;
    private int rank = -1;
    private float[] floatValues;
    private long[] longValues;
    private int at;

    Reader(Manifest.TensorSpec spec, DecodeLimits limits) {
      this.spec = spec;
      this.limits = limits;
      DType dtype = DType.fromNumpy(spec.dtype());
      this.floats = dtype == DType.FLOAT32;
      this.maxDepth = spec.shape() == null ? MAX_RANK_WITHOUT_SIGNATURE : spec.shape().size();
      this.dims = new long[maxDepth];
      this.dimKnown = new boolean[maxDepth];
      this.counts = new long[maxDepth];
      int capacity = (int) Math.min(expectedCount(spec), limits.maxElements());
      if (floats) {
        floatValues = new float[capacity];
      } else {
        longValues = new long[capacity];
      }
    }

    /** The element count the signature implies with every dynamic dimension at 1. */
    private static long expectedCount(Manifest.TensorSpec spec) {
      List<Long> shape = spec.shape();
      if (shape == null) {
        return 1024;
      }
      long n = 1;
      for (long d : shape) {
        n = d > 0 ? Math.min(n * d, Integer.MAX_VALUE - 8) : n;
      }
      return n;
    }

    /** Reads from the current token, with {@code depth} arrays already open; null if refused. */
    Tensor read(JsonParser p, int depth) throws IOException {
      JsonToken t = p.currentToken();
      while (true) {
        if (t == JsonToken.START_ARRAY) {
          if (!open(depth)) {
            return null;
          }
          depth++;
        } else if (t == JsonToken.END_ARRAY) {
          depth--;
          if (!close(depth)) {
            return null;
          }
          if (depth == 0) {
            return finish();
          }
        } else {
          if (!scalar(p, t, depth)) {
            return null;
          }
          if (depth == 0) {
            return finish();
          }
        }
        t = p.nextToken();
      }
    }

    private boolean open(int depth) {
      if (depth >= maxDepth || (rank >= 0 && depth >= rank)) {
        return false;
      }
      if (!countChild(depth)) {
        return false;
      }
      counts[depth] = 0;
      return true;
    }

    private boolean close(int depth) {
      if (!dimKnown[depth]) {
        dims[depth] = counts[depth];
        dimKnown[depth] = true;
        if (counts[depth] == 0) {
          // An empty array: the tree decoder names the shape it claims.
          return false;
        }
        return true;
      }
      return counts[depth] == dims[depth];
    }

    /** Counts one more element in the array open at {@code depth - 1}. */
    private boolean countChild(int depth) {
      if (depth == 0) {
        return true;
      }
      long n = ++counts[depth - 1];
      return !dimKnown[depth - 1] || n <= dims[depth - 1];
    }

    private boolean scalar(JsonParser p, JsonToken t, int depth) throws IOException {
      if (rank < 0) {
        rank = depth;
      }
      if (depth != rank || !countChild(depth)) {
        return false;
      }
      if (at == (floats ? floatValues.length : longValues.length) && !grow()) {
        return false;
      }
      if (floats) {
        if (t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT) {
          floatValues[at++] = limits.checked(spec.name(), JsonNumbers.asFloat(p));
        } else {
          Float v = limits.allowNonFinite() ? nonFinite(p, t) : null;
          if (v == null) {
            return false;
          }
          floatValues[at++] = v;
        }
        return true;
      }
      if (t != JsonToken.VALUE_NUMBER_INT
          || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
        return false;
      }
      longValues[at++] = p.getLongValue();
      return true;
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

    /** Doubles the array, never past the element limit that the body's size sets. */
    private boolean grow() {
      int length = floats ? floatValues.length : longValues.length;
      long limit = Math.min(limits.maxElements(), Integer.MAX_VALUE - 8);
      if (length >= limit) {
        return false;
      }
      int bigger = (int) Math.min(limit, Math.max(1024L, 2L * length));
      if (floats) {
        floatValues = Arrays.copyOf(floatValues, bigger);
      } else {
        longValues = Arrays.copyOf(longValues, bigger);
      }
      return true;
    }

    private Tensor finish() {
      long[] shape = Arrays.copyOf(dims, rank);
      int count = limits.admit(spec.name(), spec, shape);
      if (count != at) {
        return null;
      }
      if (floats) {
        float[] values = floatValues.length == count ? floatValues : Arrays.copyOf(floatValues, at);
        return Tensor.ofFloats(shape, values);
      }
      long[] values = longValues.length == count ? longValues : Arrays.copyOf(longValues, at);
      return Tensor.ofLongs(shape, values);
    }
  }
}
