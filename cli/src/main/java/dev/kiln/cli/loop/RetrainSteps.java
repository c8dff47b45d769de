package dev.kiln.cli.loop;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.artifact.baseline.Baseline;
import dev.kiln.cloud.dataset.LabelledExport;
import dev.kiln.cloud.monitor.DriftReport;
import dev.kiln.compiler.pipeline.CompileReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Steps 2 to 7 of the loop: traffic that drifts, the drift detected against version 1's baseline,
 * labels, the export, retraining, and version 2 compiled with a baseline of the drifted data.
 */
final class RetrainSteps {
  /** Requests per phase: each phase's window must hold the 500 records a check judges. */
  static final int BASE_REQUESTS = 600;

  static final int DRIFTED_REQUESTS = 1500;

  private static final String MODEL = LoopTask.MODEL;

  /** What steps 2 to 7 found and made. */
  record Result(
      DriftReport before,
      DriftReport during,
      FieldAccuracy.Figure v1Before,
      FieldAccuracy.Figure v1Drifted,
      LabelledExport.Summary exported,
      JsonNode retrained,
      CompileReport v2,
      Baseline v2Baseline) {}

  private RetrainSteps() {}

  static Result run(LoopContext c, Baseline v1Baseline) throws Exception {
    c.steps()
        .step(
            "Send traffic: "
                + BASE_REQUESTS
                + " requests as before, then "
                + DRIFTED_REQUESTS
                + " whose "
                + LoopTask.SHIFTED_FEATURE
                + " has moved (x0 mean 0 -> 3)");
    LabelledTraffic.Phase base = c.traffic().send("base", BASE_REQUESTS, false, 11);
    LabelledTraffic.Phase drifted = c.traffic().send("drift", DRIFTED_REQUESTS, true, 12);
    c.steps()
        .done(
            String.format(
                Locale.ROOT,
                "%d + %d answered (%d failed); version 1 right on %.1f%% before the drift, %.1f%% after",
                base.answered(),
                drifted.answered(),
                base.failed() + drifted.failed(),
                100 * base.accuracy(),
                100 * drifted.accuracy()));
    FieldAccuracy.awaitStored(c.queries(), "loop-base-", base.answered(), 0, base.labelled());
    FieldAccuracy.awaitStored(
        c.queries(), "loop-drift-", drifted.answered(), 0, drifted.labelled());

    c.steps()
        .step(
            "Detect the drift: check each window against version 1's baseline (from its artifact)");
    DriftReport before = LoopDrift.check(c.store(), v1Baseline, base.fromMs(), base.untilMs());
    DriftReport during =
        LoopDrift.check(c.store(), v1Baseline, drifted.fromMs(), drifted.untilMs());
    c.steps()
        .note(
            String.format(
                Locale.ROOT,
                "before the drift: %d records, %d violations",
                before.records(),
                before.violations().size()));
    c.steps()
        .note(
            String.format(
                Locale.ROOT,
                "after the drift:  %d records, %d violations",
                during.records(),
                during.violations().size()));
    for (String v : LoopDrift.violations(during)) {
      c.steps().note("  DRIFT " + v);
    }
    c.steps().done(during.drifted() ? "drift detected" : "no drift detected");

    c.steps()
        .step(
            "Gather labels: the traffic generator posted each request's true class to POST /feedback");
    List<FieldAccuracy.Figure> baseFigures = FieldAccuracy.of(c.queries(), MODEL, "loop-base-");
    List<FieldAccuracy.Figure> driftFigures = FieldAccuracy.of(c.queries(), MODEL, "loop-drift-");
    FieldAccuracy.Figure v1Before = FieldAccuracy.find(baseFigures, "1", false);
    FieldAccuracy.Figure v1Drifted = FieldAccuracy.find(driftFigures, "1", false);
    c.steps()
        .done(
            String.format(
                Locale.ROOT,
                "%d labels stored; field accuracy of version 1: %.3f on %d before the drift, %.3f on %d after",
                base.labelled() + drifted.labelled(),
                v1Before.accuracy(),
                v1Before.labelled(),
                v1Drifted.accuracy(),
                v1Drifted.labelled()));

    c.steps()
        .step(
            "Export the drifted traffic with its labels (kiln data export --with-labels --since)");
    Path export = c.dir().resolve("export");
    LabelledExport.Summary exported =
        new LabelledExport(c.store()).export(MODEL, "1", drifted.fromMs(), export);
    c.steps()
        .done(
            String.format(
                Locale.ROOT,
                "%d train, %d validation (%d%%/%d%% by request id), %d without a label -> %s",
                exported.train(),
                exported.validation(),
                exported.trainPercent(),
                100 - exported.trainPercent(),
                exported.unlabelled(),
                c.dir().relativize(export)));

    c.steps()
        .step(
            "Retrain: samples/retrain.py fine-tunes version 1 on the export (" + c.python() + ")");
    Path v2Onnx = c.dir().resolve("v2/drift.onnx");
    Files.createDirectories(v2Onnx.getParent());
    JsonNode retrained =
        Retrain.run(
            c.python(),
            c.home().resolve("samples/retrain.py"),
            c.source(),
            export,
            v2Onnx,
            c.dir().resolve("v2/retrain.log"));
    c.steps()
        .done(
            String.format(
                Locale.ROOT,
                "validation accuracy %.3f -> %.3f on %d held-out samples",
                retrained.path("before").path("validationAccuracy").asDouble(),
                retrained.path("validationAccuracy").asDouble(),
                retrained.path("validationSamples").asInt()));

    c.steps().step("Compile and sign version 2, with a baseline from the drifted training inputs");
    CompileReport v2 =
        LoopCommand.compile(
            v2Onnx, export.resolve("train-inputs.npz"), "2", c.dir().resolve("v2"), c.key());
    Baseline v2Baseline = LoopDrift.fromArtifact(v2.artifactPath());
    c.steps().done(c.dir().relativize(v2.artifactPath()) + ": " + v2.baseline());

    return new Result(before, during, v1Before, v1Drifted, exported, retrained, v2, v2Baseline);
  }
}
