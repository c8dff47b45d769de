package dev.kiln.fleet.rollout;

/** A health gate's verdict with the numbers behind it. */
public record GateResult(Verdict verdict, String reason) {

  /** Pass, fail, or not enough data yet. */
  public enum Verdict {
    PASS,
    FAIL,
    WAIT
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
}
