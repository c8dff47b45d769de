package dev.kiln.agent.http;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.agent.serving.InputValidator;
import dev.kiln.artifact.Manifest;
import java.util.Arrays;

/**
 * What one request body may cost once decoded. Every decoder calls {@link #admit} with the shape it
 * is about to allocate, before it allocates, so that a body of N bytes costs O(N) memory and never
 * more (a 1 KB JSON body whose first rows were long and later rows short used to allocate 2 GB).
 *
 * <p>The element limit is the body's length in bytes: in every form the agent reads, each element
 * takes at least one byte (JSON and CSV a digit and a separator, .npy 4 or 8 bytes), so a shape
 * with more elements than the body has bytes can only be a lie. The body itself is at most {@code
 * http.maxBodyBytes}, and a signature with fixed dimensions bounds the shape further through {@link
 * InputValidator#checkShape}.
 *
 * @param maxElements most elements any one input may hold
 * @param allowNonFinite whether NaN and ±Infinity are accepted in float inputs ({@code
 *     models.acceptNonFinite} in the agent config)
 */
public record DecodeLimits(long maxElements, boolean allowNonFinite) {

  /** The limits for a body of {@code bodyBytes} bytes. */
  public static DecodeLimits forBody(long bodyBytes, boolean allowNonFinite) {
    return new DecodeLimits(Math.max(1, bodyBytes), allowNonFinite);
  }

  /**
   * Checks a shape claimed by a body against {@code spec} (rank and fixed dimensions; skipped when
   * {@code spec} is null) and against {@link #maxElements}.
   *
   * @return the element count, safe to allocate
   */
  public int admit(String input, Manifest.TensorSpec spec, long[] shape) {
    if (spec != null) {
      InputValidator.checkShape(spec, shape);
    }
    long count = Tensor.elementCount(shape);
    // Arrays are indexed by int: no limit may reach past what one Java array holds.
    if (count > Math.min(maxElements, Integer.MAX_VALUE - 8)) {
      throw new AgentException(
          AgentErrorCode.INVALID_INPUT,
          "input '"
              + input
              + "' claims shape "
              + Arrays.toString(shape)
              + " ("
              + count
              + " elements), more than the "
              + maxElements
              + " a body of this size can hold");
    }
    return (int) count;
  }

  /**
   * Checks a whole decoded array at once: nothing to do when this model accepts non-finite values,
   * else one tight pass that names the first offender as {@link #checked} does.
   */
  public void checkedAll(String input, float[] values) {
    if (allowNonFinite) {
      return;
    }
    for (float v : values) {
      if (!Float.isFinite(v)) {
        checked(input, v);
      }
    }
  }

  /** Returns {@code value} when finite or when this model accepts non-finite values. */
  public float checked(String input, float value) {
    if (!allowNonFinite && !Float.isFinite(value)) {
      throw new AgentException(
          AgentErrorCode.INVALID_INPUT,
          "input '"
              + input
              + "' holds "
              + value
              + " (a number out of float32 range becomes Infinity); this model does not accept"
              + " NaN or Infinity (see models.acceptNonFinite in docs/agent.md)");
    }
    return value;
  }
}
