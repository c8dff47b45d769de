package dev.kiln.compiler.accuracy;

import java.util.List;

/**
 * The gate's verdict.
 *
 * @param failures one line per threshold missed, naming the output and the figures
 * @param worstNodes the nodes that hurt accuracy most, worst first, with their figures (filled by
 *     the sensitivity pass when the gate fails; empty otherwise)
 */
public record GateResult(
    boolean passed,
    List<OutputFigures> outputs,
    int heldOutSamples,
    GateThresholds thresholds,
    List<String> failures,
    List<String> worstNodes) {

  public GateResult {
    outputs = List.copyOf(outputs);
    failures = List.copyOf(failures);
    worstNodes = List.copyOf(worstNodes);
  }

  public GateResult withWorstNodes(List<String> nodes) {
    return new GateResult(passed, outputs, heldOutSamples, thresholds, failures, nodes);
  }

  /** The lowest SQNR over all outputs: the single figure the sensitivity pass optimizes. */
  public double minSqnrDb() {
    return outputs.stream()
        .mapToDouble(OutputFigures::sqnrDb)
        .min()
        .orElse(Double.POSITIVE_INFINITY);
  }

  /** The lowest top-1 agreement over classifier outputs; null when there are none. */
  public Double minTop1Agreement() {
    return outputs.stream()
        .map(OutputFigures::top1Agreement)
        .filter(a -> a != null)
        .min(Double::compare)
        .orElse(null);
  }

  /** One line for progress and errors, e.g. {@code top-1 100.0%, SQNR 31.2 dB, rel err 0.027}. */
  public String summary() {
    Double top1 = minTop1Agreement();
    double rel = outputs.stream().mapToDouble(OutputFigures::relativeError).max().orElse(0);
    return (top1 == null ? "" : String.format("top-1 agreement %.1f%%, ", 100 * top1))
        + String.format("SQNR %s, rel err %.3g", AccuracyGate.formatDb(minSqnrDb()), rel)
        + " on "
        + heldOutSamples
        + " held-out samples";
  }
}
