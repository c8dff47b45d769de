package dev.kiln.link.protocol;

import java.util.List;

/**
 * What a device learned from ground truth ({@code POST /feedback}) about the versions it served, in
 * a {@link Heartbeat} (docs/protocol.md, "Field scores in heartbeats"). Counts are totals since the
 * agent started, not deltas, so a lost heartbeat loses nothing; the fleet console adds them up over
 * devices for its accuracy gate.
 *
 * @param versions one entry per model version that received a label or a value
 * @param unmatched labels and values whose request id the agent did not know: never served here,
 *     already scored, or forgotten (see {@code evicted})
 * @param evicted served requests the agent forgot before their feedback came, its bounded map of
 *     waiting requests being full
 */
public record FieldScores(List<Version> versions, long unmatched, long evicted) {

  public FieldScores {
    versions = versions == null ? List.of() : List.copyOf(versions);
  }

  /**
   * One version's scores on this device.
   *
   * @param labelled requests that received a class label
   * @param correct those whose served class (the argmax of the first output) equals the label
   * @param valued requests that received a numeric value
   * @param absErrorSum sum of |value - first output value| over them
   * @param squaredErrorSum sum of (value - first output value)^2 over them
   */
  public record Version(
      String model,
      String version,
      long labelled,
      long correct,
      long valued,
      double absErrorSum,
      double squaredErrorSum) {}
}
