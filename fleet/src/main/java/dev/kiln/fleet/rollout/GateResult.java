package dev.kiln.fleet.rollout;

/**
 * A gate's verdict with the numbers behind it.
 *
 * @param accuracy the accuracy gate's figures when it took part; null otherwise
 */
public record GateResult(Verdict verdict, String reason, AccuracyGate.Figures accuracy) {

  /** Pass, fail, or not enough data yet. */
  public enum Verdict {
    PASS,
    FAIL,
    WAIT
  }

  public GateResult(Verdict verdict, String reason) {
    this(verdict, reason, null);
  }

  public static GateResult pass(String reason) {
    return new GateResult(Verdict.PASS, reason);
  }

  public static GateResult fail(String reason) {
    return new GateResult(Verdict.FAIL, reason);
  }

  public static GateResult waiting(String reason) {
    return new GateResult(Verdict.WAIT, reason);
  }

  static GateResult pass(String reason, AccuracyGate.Figures figures) {
    return new GateResult(Verdict.PASS, reason, figures);
  }

  static GateResult fail(String reason, AccuracyGate.Figures figures) {
    return new GateResult(Verdict.FAIL, reason, figures);
  }

  static GateResult waiting(String reason, AccuracyGate.Figures figures) {
    return new GateResult(Verdict.WAIT, reason, figures);
  }
}
