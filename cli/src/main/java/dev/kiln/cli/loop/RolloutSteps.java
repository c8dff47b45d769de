package dev.kiln.cli.loop;

import dev.kiln.artifact.baseline.Baseline;
import dev.kiln.cloud.monitor.DriftReport;
import dev.kiln.compiler.pipeline.CompileReport;
import dev.kiln.fleet.console.DeploymentView;
import dev.kiln.fleet.rollout.AccuracyGate;
import dev.kiln.fleet.rollout.DeploymentState;
import dev.kiln.fleet.rollout.GateConfig;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Steps 8 to 10 of the loop: version 2 as a shadow of version 1, the promotion on field accuracy
 * (the {@link Promotion} decision, then a canary through the fleet's accuracy gate), and the drift
 * checked again against version 2's own baseline.
 */
final class RolloutSteps {
  static final List<String> DEVICES = LoopCommand.DEVICES;
  static final int SHADOW_REQUESTS = 800;
  static final int AFTER_REQUESTS = 800;

  /** As the demo's: errors fail a canary at once, latency only at 5x (cold JIT on a laptop). */
  static final GateConfig GATE = new GateConfig(0.05, 5.0, 0.0, 1);

  static final String PROMOTE_STRATEGY = "canary:50:5s";

  /**
   * The fleet's accuracy gate on the promoting canary ({@code --gate accuracy:0:200:1m}): version
   * 2's field accuracy, as the agents score it, must not fall below version 1's at all, each over
   * at least 200 labels, or the canary rolls back. The gate can only refuse a worse version; {@link
   * Promotion} asks for a better one before the canary starts.
   */
  static final AccuracyGate.Config ACCURACY_GATE = new AccuracyGate.Config(0.0, 200, 60_000);

  private static final String MODEL = LoopTask.MODEL;

  /** What steps 8 to 10 found. */
  record Result(
      Promotion decision,
      boolean promoted,
      AccuracyGate.Figures gate,
      DriftReport afterV2,
      FieldAccuracy.Figure v2After) {}

  private RolloutSteps() {}

  static Result run(LoopContext c, CompileReport v2, Baseline v2Baseline) throws Exception {
    c.steps()
        .step("Canary version 2 as a shadow of version 1 (mirrored traffic, answers discarded)");
    DeploymentView shadow =
        c.fleet()
            .rollout(v2.artifactPath(), DEVICES, "shadow", GATE, c.steps(), Duration.ofMinutes(2));
    if (shadow.state() != DeploymentState.SUCCEEDED) {
      throw new IllegalStateException(
          "the shadow deployment ended " + shadow.state() + ": " + shadow.reason());
    }
    LabelledTraffic.Phase shadowPhase = c.traffic().send("shadow", SHADOW_REQUESTS, true, 13);
    FieldAccuracy.awaitStored(
        c.queries(),
        "loop-shadow-",
        shadowPhase.answered(),
        shadowPhase.answered(),
        shadowPhase.labelled());
    c.steps()
        .done(
            shadowPhase.answered()
                + " drifted requests answered by version 1 and mirrored to version 2, all labelled");

    c.steps().step("Promote on measured field accuracy (shadow phase, same requests)");
    List<FieldAccuracy.Figure> shadowFigures = FieldAccuracy.of(c.queries(), MODEL, "loop-shadow-");
    FieldAccuracy.Figure v1Shadow = FieldAccuracy.find(shadowFigures, "1", false);
    FieldAccuracy.Figure v2Shadow = FieldAccuracy.find(shadowFigures, "2", true);
    Promotion decision = Promotion.decide(v1Shadow, v2Shadow);
    c.steps().note(decision.reason());
    boolean promoted = false;
    AccuracyGate.Figures gate = null;
    if (decision.promote()) {
      c.steps()
          .note(
              "rolling out version 2 as primary: "
                  + PROMOTE_STRATEGY
                  + " --gate "
                  + ACCURACY_GATE.text()
                  + " while labelled, drifted traffic flows");
      DeploymentView rollout;
      try (BackgroundLoad load = new BackgroundLoad(c.traffic())) {
        rollout =
            c.fleet()
                .rollout(
                    v2.artifactPath(),
                    DEVICES,
                    PROMOTE_STRATEGY,
                    GATE.withAccuracy(ACCURACY_GATE),
                    c.steps(),
                    Duration.ofMinutes(3));
      }
      promoted = rollout.state() == DeploymentState.SUCCEEDED;
      gate = rollout.accuracy();
      if (gate != null) {
        c.steps().note("accuracy gate: " + gate.describe());
      }
      if (promoted) {
        c.fleet().awaitRunning(DEVICES, MODEL, "2", Duration.ofSeconds(30));
      }
      c.steps()
          .done(
              promoted
                  ? "version 2 promoted: " + rollout.reason()
                  : "promotion ended " + rollout.state() + ": " + rollout.reason());
    } else {
      c.steps().done("version 2 not promoted");
    }

    c.steps()
        .step(
            "Show the drift back under threshold: "
                + AFTER_REQUESTS
                + " drifted requests against version 2's baseline");
    LabelledTraffic.Phase after = c.traffic().send("after", AFTER_REQUESTS, true, 14);
    FieldAccuracy.awaitStored(c.queries(), "loop-after-", after.answered(), 0, after.labelled());
    DriftReport afterV2 = LoopDrift.check(c.store(), v2Baseline, after.fromMs(), after.untilMs());
    FieldAccuracy.Figure v2After =
        FieldAccuracy.find(FieldAccuracy.of(c.queries(), MODEL, "loop-after-"), "2", false);
    c.steps()
        .note(
            String.format(
                Locale.ROOT,
                "%d records, %d violations; largest: %s",
                afterV2.records(),
                afterV2.violations().size(),
                String.join(" ", LoopDrift.maxima(afterV2))));
    for (String v : LoopDrift.violations(afterV2)) {
      c.steps().note("  DRIFT " + v);
    }
    c.steps()
        .done(
            String.format(
                Locale.ROOT,
                "%s; version 2's field accuracy %.3f on %d labelled requests",
                afterV2.drifted() ? "still drifting" : "no drift against version 2's baseline",
                v2After == null ? 0 : v2After.accuracy(),
                v2After == null ? 0 : v2After.labelled()));
    return new Result(decision, promoted, gate, afterV2, v2After);
  }
}
