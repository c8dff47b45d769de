package dev.kiln.cli.loop;

import dev.kiln.artifact.baseline.Baseline;
import dev.kiln.fleet.rollout.AccuracyGate;
import java.util.List;

/**
 * What {@code kiln loop --json} prints: the figures of every step.
 *
 * @param driftDetected the drifted window crossed a threshold against version 1's baseline
 * @param driftViolations those violations, {@code scope feature measure value > threshold}
 * @param baseWindowViolations violations in the window before the drift (expected none)
 * @param v1AccuracyBefore version 1's field accuracy before the drift
 * @param v1AccuracyDrifted version 1's field accuracy on the drifted requests
 * @param v1ShadowPhaseAccuracy version 1, serving, during the shadow phase
 * @param v2ShadowPhaseAccuracy version 2, as a shadow, on the same requests
 * @param promoted version 2 was promoted and runs on every device
 * @param promotion the decision's reason, with its figures
 * @param promotionGate the fleet gate the promoting canary passed, {@code accuracy:...}; null when
 *     not promoted
 * @param gateNewAccuracy version 2's field accuracy as the agents scored it, when the gate judged
 * @param gateOldAccuracy version 1's, over its whole time in service (before the drift too)
 * @param gateFigures the gate's figures in words
 * @param v2AccuracyAfter version 2's field accuracy after promotion
 * @param driftAfter drift against version 2's baseline after promotion
 * @param driftAfterMax the largest value of each measure after promotion, {@code measure=value}
 */
record LoopSummary(
    String model,
    long v1BaselineRecords,
    boolean driftDetected,
    List<String> driftViolations,
    List<String> baseWindowViolations,
    double v1AccuracyBefore,
    double v1AccuracyDrifted,
    long exportedTrain,
    long exportedValidation,
    long exportedUnlabelled,
    double retrainValidationAccuracy,
    long v2BaselineRecords,
    double v1ShadowPhaseAccuracy,
    double v2ShadowPhaseAccuracy,
    long shadowPhaseLabelled,
    boolean promoted,
    String promotion,
    String promotionGate,
    Double gateNewAccuracy,
    Double gateOldAccuracy,
    String gateFigures,
    double v2AccuracyAfter,
    boolean driftAfter,
    List<String> driftAfterViolations,
    List<String> driftAfterMax,
    double seconds) {

  static LoopSummary of(
      Baseline v1Baseline, RetrainSteps.Result r, RolloutSteps.Result p, double seconds) {
    AccuracyGate.Figures gate = p.gate();
    return new LoopSummary(
        LoopTask.MODEL,
        v1Baseline.records(),
        r.during().drifted(),
        LoopDrift.violations(r.during()),
        LoopDrift.violations(r.before()),
        r.v1Before().accuracy(),
        r.v1Drifted().accuracy(),
        r.exported().train(),
        r.exported().validation(),
        r.exported().unlabelled(),
        r.retrained().path("validationAccuracy").asDouble(),
        r.v2Baseline().records(),
        p.decision().oldAccuracy(),
        p.decision().newAccuracy(),
        p.decision().labelled(),
        p.promoted(),
        p.decision().reason(),
        gate == null ? null : RolloutSteps.ACCURACY_GATE.text(),
        gate == null ? null : gate.newAccuracy(),
        gate == null ? null : gate.oldAccuracy(),
        gate == null ? null : gate.describe(),
        p.v2After() == null ? 0 : p.v2After().accuracy(),
        p.afterV2().drifted(),
        LoopDrift.violations(p.afterV2()),
        LoopDrift.maxima(p.afterV2()),
        Math.round(seconds * 10) / 10.0);
  }
}
