package dev.kiln.fleet.rollout;

/**
 * Every gate of a bake in one verdict: the health gate (already judged), then drift and field
 * accuracy when the deployment asked for them. Any failure fails; any gate short of data makes the
 * whole wait; the pass reason joins each gate's. The accuracy gate waits for labels at most its
 * WAIT past the end of the bake, then fails naming the missing samples.
 */
final class PhaseGates {
  private PhaseGates() {}

  static GateResult judge(Deployment d, FleetView fleet, GateResult health, long now) {
    if (health.verdict() == GateResult.Verdict.FAIL) {
      return health;
    }
    GateConfig gate = d.gate();
    if (gate.drift()) {
      GateResult drift = DriftGate.judge(d);
      if (drift.verdict() == GateResult.Verdict.FAIL) {
        return drift;
      }
    }
    if (gate.accuracy() == null) {
      return health;
    }
    GateResult accuracy = AccuracyGate.judge(gate.accuracy(), d, fleet);
    d.recordAccuracy(accuracy.accuracy(), now);
    return switch (accuracy.verdict()) {
      case FAIL -> accuracy;
      case WAIT -> {
        long waited = now - d.bakeUntil();
        if (now >= d.bakeUntil() && waited >= gate.accuracy().waitMs()) {
          yield new GateResult(
              GateResult.Verdict.FAIL,
              accuracy.reason().replace("waiting for labelled samples", "too few labelled samples")
                  + " after waiting "
                  + Strategy.human(java.time.Duration.ofMillis(gate.accuracy().waitMs()))
                  + " past the bake",
              accuracy.accuracy());
        }
        yield new GateResult(
            GateResult.Verdict.WAIT,
            health.verdict() == GateResult.Verdict.WAIT
                ? health.reason() + "; " + accuracy.reason()
                : accuracy.reason(),
            accuracy.accuracy());
      }
      case PASS ->
          new GateResult(
              health.verdict(), health.reason() + "; " + accuracy.reason(), accuracy.accuracy());
    };
  }
}
