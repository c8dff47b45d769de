package dev.kiln.agent.http;

import dev.kiln.agent.AgentException;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Manifest;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The first pass over a JSON request body: a scanner over its bytes ({@link JsonCursor}) for the
 * two forms clients send, {@code {"inputs": {name: nested array, ...}}} and {@code {"instances":
 * [row, ...]}}, feeding each number to the input's {@link TensorAssembler}. Jackson's tokens cost
 * about 35 of the 55 ns each number took through {@link JsonTensorStream} (a 1x3x224x224 image is
 * 150,528 numbers: 8 ms); here a number is read where it lies in the body.
 *
 * <p>Other members beside the tensors are skipped to the JSON grammar. It declines (null) anything
 * else: an escape or a non-ASCII byte in a string, a string, {@code null} or {@code true} among the
 * numbers, both forms in one body, an integer of more than 18 digits, bytes after the body, and
 * every body the JSON grammar or the signature refuses. {@link JsonTensorStream} then reads the
 * body with Jackson, and the tree decoder names what it refuses, so declining changes only what a
 * body costs, never what it means.
 */
final class JsonTensorScanner {
  private final byte[] body;
  private final int length;
  private final JsonCursor cursor;
  private final Manifest.IoSignature signature;
  private final DecodeLimits limits;
  private final int splitBytes;

  private JsonTensorScanner(
      byte[] body,
      int length,
      Manifest.IoSignature signature,
      DecodeLimits limits,
      int splitBytes) {
    this.body = body;
    this.length = length;
    this.cursor = new JsonCursor(body, length);
    this.signature = signature;
    this.limits = limits;
    this.splitBytes = splitBytes;
  }

  /**
   * The tensors in the first {@code length} bytes of {@code body}, or null when Jackson must read
   * them (see the class doc); a tensor with at least {@code splitBytes} left is read in two halves
   * at once ({@link SecondHalf}: {@link SecondHalf#MIN_BYTES} in the agent), {@link
   * Integer#MAX_VALUE} never splits.
   */
  static Map<String, Tensor> tryDecode(
      byte[] body,
      int length,
      Manifest.IoSignature signature,
      DecodeLimits limits,
      int splitBytes) {
    try {
      return new JsonTensorScanner(body, length, signature, limits, splitBytes).document();
    } catch (AgentException e) {
      // A value the limits refuse (a non-finite float, a shape too large): the tree names it.
      return null;
    }
  }

  private Map<String, Tensor> document() {
    if (!cursor.skipTo('{')) {
      return null;
    }
    Map<String, Tensor> out = null;
    do {
      String key = cursor.name();
      if (key == null || !cursor.skipTo(':')) {
        return null;
      }
      boolean tensors = "inputs".equals(key) || "instances".equals(key);
      if (tensors && out != null) {
        // Both forms, or one twice: the tree's precedence decides.
        return null;
      }
      if (tensors) {
        out = "inputs".equals(key) ? inputs() : instances();
        if (out == null) {
          return null;
        }
      } else if (!cursor.skipValue()) {
        return null;
      }
    } while (cursor.skipTo(','));
    return out != null && cursor.skipTo('}') && cursor.atEnd() ? out : null;
  }

  private Map<String, Tensor> inputs() {
    if (!cursor.skipTo('{')) {
      return null;
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    do {
      String name = cursor.name();
      Manifest.TensorSpec spec = name == null ? null : specOf(name);
      if (spec == null || out.containsKey(name) || !cursor.skipTo(':')) {
        return null;
      }
      Tensor t = nested(new TensorAssembler(spec, limits), 0);
      if (t == null) {
        return null;
      }
      out.put(name, t);
    } while (cursor.skipTo(','));
    return cursor.skipTo('}') ? out : null;
  }

  private Map<String, Tensor> instances() {
    if (signature.inputs().size() != 1 || !cursor.skipTo('[')) {
      return null;
    }
    Manifest.TensorSpec only = signature.inputs().get(0);
    TensorAssembler assembler = new TensorAssembler(only, limits);
    // Rows that are objects (one array per input) are stacked by the tree decoder; no rows at all
    // is its to refuse.
    if (cursor.peekIs('{') || cursor.peekIs(']') || !assembler.open(0)) {
      return null;
    }
    Tensor t = nested(assembler, 1);
    return t == null ? null : Map.of(only.name(), t);
  }

  /**
   * Reads nested arrays of numbers from the next value on, with {@code depth} arrays already open;
   * null if declined. One loop, no recursion, so nesting costs no stack.
   */
  private Tensor nested(TensorAssembler assembler, int depth) {
    SecondHalf half =
        assembler.takesFloats() ? SecondHalf.start(body, length, cursor, limits, splitBytes) : null;
    try {
      return nested(assembler, depth, half);
    } finally {
      if (half != null) {
        half.drop();
      }
    }
  }

  private Tensor nested(TensorAssembler assembler, int depth, SecondHalf half) {
    while (true) {
      if (half != null && half.startsAt(cursor)) {
        SecondHalf met = half;
        half = null;
        if (met.await()) {
          // The rest was read on another core: its rows replayed here, arrays closed after them
          // included; then on from where it stopped, the next value or the end of the tensor.
          depth = met.replay(assembler, depth, cursor);
          if (depth <= 0) {
            return depth == 0 ? assembler.finish() : null;
          }
          if (!cursor.skipTo(',')) {
            return null;
          }
          continue;
        }
      }
      // A value: any number of arrays opening, then a run of numbers (the innermost array's, or
      // a lone scalar at depth 0). Anything else where a number belongs is declined there.
      while (cursor.skipTo('[')) {
        if (!assembler.open(depth)) {
          return null;
        }
        depth++;
      }
      do {
        // Most numbers are taken in runs; the one a run stops before is read on its own.
        cursor.skipWhitespace();
        if (assembler.takeFloats(cursor, depth) == 0 && !number(assembler, depth)) {
          return null;
        }
      } while (depth > 0 && cursor.skipTo(','));
      // Arrays closing, until a comma starts the next value or the outermost one closes.
      while (true) {
        if (depth == 0) {
          return assembler.finish();
        }
        if (!cursor.skipTo(']')) {
          return null;
        }
        depth--;
        if (!assembler.close(depth)) {
          return null;
        }
        if (depth > 0 && cursor.skipTo(',')) {
          break;
        }
      }
    }
  }

  /** Reads one number into the assembler; false for anything else or what it must decline. */
  private boolean number(TensorAssembler assembler, int depth) {
    cursor.skipWhitespace();
    if (!assembler.takesFloats()) {
      return cursor.scanNumber() == JsonCursor.LONG && assembler.addLong(cursor.longValue(), depth);
    }
    float value = cursor.scanFloat();
    if (Float.isNaN(value)) {
      return false;
    }
    return assembler.addFloat(
        Float.isFinite(value) ? value : limits.checked(assembler.name(), value), depth);
  }

  private Manifest.TensorSpec specOf(String name) {
    for (Manifest.TensorSpec s : signature.inputs()) {
      if (s.name().equals(name)) {
        return s;
      }
    }
    return null;
  }
}
