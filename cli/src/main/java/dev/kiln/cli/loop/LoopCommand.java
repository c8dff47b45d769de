package dev.kiln.cli.loop;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.artifact.ArtifactWriter;
import dev.kiln.artifact.Json;
import dev.kiln.artifact.baseline.Baseline;
import dev.kiln.cli.CliPaths;
import dev.kiln.cli.demo.DemoAgent;
import dev.kiln.cli.demo.DemoFleet;
import dev.kiln.cli.demo.DemoKeys;
import dev.kiln.cli.demo.DemoSteps;
import dev.kiln.cli.logging.LogRouting;
import dev.kiln.cli.logging.RoutedLogs;
import dev.kiln.cloud.CloudService;
import dev.kiln.cloud.dataset.LabelledExport;
import dev.kiln.cloud.monitor.DriftReport;
import dev.kiln.cloud.store.CaptureQueries;
import dev.kiln.compiler.pipeline.CompileReport;
import dev.kiln.compiler.pipeline.CompileRequest;
import dev.kiln.compiler.pipeline.Compiler;
import dev.kiln.compiler.pipeline.ProgressListener;
import dev.kiln.fleet.console.DeploymentView;
import dev.kiln.fleet.rollout.AccuracyGate;
import dev.kiln.fleet.rollout.DeploymentState;
import dev.kiln.fleet.rollout.GateConfig;
import dev.kiln.profile.DeviceProfiles;
import dev.kiln.testkit.FreePorts;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kiln loop}: the closed loop on embedded defaults, in one process (the demo's machinery:
 * embedded broker, ingestor and DuckDB, fleet console, two real kiln-agent processes). Each step
 * prints its figures; {@code --json} prints {@link LoopSummary} at the end. Exit 0 when version 2
 * was promoted and the drift is back under threshold, 1 otherwise.
 */
@Command(
    name = "loop",
    mixinStandardHelpOptions = true,
    description = {
      "Run the closed loop end to end on this machine: serve version 1, drift, detect,",
      "label, export, retrain (samples/retrain.py), compile version 2 with a baseline,",
      "shadow it, promote it on field accuracy, and show the drift back under threshold."
    })
public final class LoopCommand implements Callable<Integer> {
  static final List<String> DEVICES = List.of("loop-device-1", "loop-device-2");

  /** Requests per phase: each phase's window must hold the 500 records a check judges. */
  static final int BASE_REQUESTS = 600;

  static final int DRIFTED_REQUESTS = 1500;
  static final int SHADOW_REQUESTS = 800;
  static final int AFTER_REQUESTS = 800;

  /** Version 1's baseline: calibration inputs drawn from the distribution before the drift. */
  static final int CALIBRATION_SAMPLES = 2000;

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

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--dir",
      defaultValue = ".kiln-loop",
      description = "Working folder, emptied first (default: ${DEFAULT-VALUE}).")
  Path dir;

  @Option(
      names = "--python",
      defaultValue = "/usr/bin/python3",
      description =
          "A python with torch and onnx, for samples/retrain.py (default: ${DEFAULT-VALUE}).")
  Path python;

  @Option(
      names = "--json",
      description = "Print a JSON summary of every step's figures at the end.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    long started = System.nanoTime();
    PrintWriter out = spec.commandLine().getOut();
    Path home = CliPaths.home();
    dir = dir.toAbsolutePath();
    ArtifactWriter.deleteTree(dir);
    Files.createDirectories(dir);
    if (!RoutedLogs.verbose(spec)) {
      Path log = dir.resolve("kiln-loop.log");
      LogRouting.toFile(log);
      out.println("Library log lines go to " + log + " (--verbose shows them here instead)");
    }
    DemoSteps steps = new DemoSteps(out);
    Path key = DemoKeys.generate(dir.resolve("keys"));
    Path source = home.resolve(LoopTask.MODEL_FILE);

    steps.step(
        "Serve version 1: compile "
            + LoopTask.MODEL_FILE
            + " with a baseline, start the cloud side and 2 agents");
    Path calibration =
        LoopTask.calibration(dir.resolve("v1/calibration.jsonl"), CALIBRATION_SAMPLES, 1);
    CompileReport v1 = compile(source, calibration, "1", dir.resolve("v1"), key);
    Baseline v1Baseline = LoopDrift.fromArtifact(v1.artifactPath());
    steps.note("version 1: " + v1.baseline());
    try (CloudService cloud =
            CloudService.start(
                new CloudService.Options(
                    null,
                    dir.resolve("cloud.duckdb"),
                    "127.0.0.1",
                    FreePorts.next(),
                    dir.resolve("broker"),
                    false,
                    "kiln-loop-ingest",
                    null,
                    null));
        DemoFleet fleet = DemoFleet.start(dir.resolve("console"), cloud.brokerUrl())) {
      List<DemoAgent> agents = new ArrayList<>();
      try {
        for (String device : DEVICES) {
          agents.add(
              DemoAgent.launch(
                  DemoAgent.configure(
                      dir.resolve(device),
                      new DemoAgent.Device(
                          device,
                          null,
                          List.of("loop"),
                          List.of(v1.artifactPath()),
                          List.of(key.resolveSibling("kiln.pub"), fleet.publicKey()),
                          LoopTask.MODEL,
                          cloud.brokerUrl(),
                          2))));
        }
        for (DemoAgent a : agents) {
          a.awaitHealthy(Duration.ofMinutes(3));
        }
        fleet.awaitOnline(DEVICES, Duration.ofMinutes(1));
        steps.done(
            "serving "
                + LoopTask.MODEL
                + "@1 on "
                + agents.stream().map(DemoAgent::baseUrl).toList());
        LoopSummary summary =
            run(steps, cloud, fleet, agents, v1, v1Baseline, source, key, home, started);
        if (json) {
          out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(summary));
        }
        out.flush();
        return summary.promoted() && summary.driftDetected() && !summary.driftAfter() ? 0 : 1;
      } finally {
        for (DemoAgent a : agents) {
          a.close();
        }
      }
    }
  }

  private LoopSummary run(
      DemoSteps steps,
      CloudService cloud,
      DemoFleet fleet,
      List<DemoAgent> agents,
      CompileReport v1,
      Baseline v1Baseline,
      Path source,
      Path key,
      Path home,
      long started)
      throws Exception {
    CaptureQueries queries = new CaptureQueries(cloud.store());
    LabelledTraffic traffic = new LabelledTraffic(agents.stream().map(DemoAgent::baseUrl).toList());
    String model = LoopTask.MODEL;

    steps.step(
        "Send traffic: "
            + BASE_REQUESTS
            + " requests as before, then "
            + DRIFTED_REQUESTS
            + " whose "
            + LoopTask.SHIFTED_FEATURE
            + " has moved (x0 mean 0 -> 3)");
    LabelledTraffic.Phase base = traffic.send("base", BASE_REQUESTS, false, 11);
    LabelledTraffic.Phase drifted = traffic.send("drift", DRIFTED_REQUESTS, true, 12);
    steps.done(
        String.format(
            Locale.ROOT,
            "%d + %d answered (%d failed); version 1 right on %.1f%% before the drift, %.1f%% after",
            base.answered(),
            drifted.answered(),
            base.failed() + drifted.failed(),
            100 * base.accuracy(),
            100 * drifted.accuracy()));
    awaitStored(queries, "loop-base-", base.answered(), 0, base.labelled());
    awaitStored(queries, "loop-drift-", drifted.answered(), 0, drifted.labelled());

    steps.step(
        "Detect the drift: check each window against version 1's baseline (from its artifact)");
    DriftReport before = LoopDrift.check(cloud.store(), v1Baseline, base.fromMs(), base.untilMs());
    DriftReport during =
        LoopDrift.check(cloud.store(), v1Baseline, drifted.fromMs(), drifted.untilMs());
    steps.note(
        String.format(
            Locale.ROOT,
            "before the drift: %d records, %d violations",
            before.records(),
            before.violations().size()));
    steps.note(
        String.format(
            Locale.ROOT,
            "after the drift:  %d records, %d violations",
            during.records(),
            during.violations().size()));
    for (String v : LoopDrift.violations(during)) {
      steps.note("  DRIFT " + v);
    }
    steps.done(during.drifted() ? "drift detected" : "no drift detected");

    steps.step(
        "Gather labels: the traffic generator posted each request's true class to POST /feedback");
    List<FieldAccuracy.Figure> baseFigures = FieldAccuracy.of(queries, model, "loop-base-");
    List<FieldAccuracy.Figure> driftFigures = FieldAccuracy.of(queries, model, "loop-drift-");
    FieldAccuracy.Figure v1Before = FieldAccuracy.find(baseFigures, "1", false);
    FieldAccuracy.Figure v1Drifted = FieldAccuracy.find(driftFigures, "1", false);
    steps.done(
        String.format(
            Locale.ROOT,
            "%d labels stored; field accuracy of version 1: %.3f on %d before the drift, %.3f on %d after",
            base.labelled() + drifted.labelled(),
            v1Before.accuracy(),
            v1Before.labelled(),
            v1Drifted.accuracy(),
            v1Drifted.labelled()));

    steps.step(
        "Export the drifted traffic with its labels (kiln data export --with-labels --since)");
    Path export = dir.resolve("export");
    LabelledExport.Summary exported =
        new LabelledExport(cloud.store()).export(model, "1", drifted.fromMs(), export);
    steps.done(
        String.format(
            Locale.ROOT,
            "%d train, %d validation (%d%%/%d%% by request id), %d without a label -> %s",
            exported.train(),
            exported.validation(),
            exported.trainPercent(),
            100 - exported.trainPercent(),
            exported.unlabelled(),
            dir.relativize(export)));

    steps.step("Retrain: samples/retrain.py fine-tunes version 1 on the export (" + python + ")");
    Path v2Onnx = dir.resolve("v2/drift.onnx");
    Files.createDirectories(v2Onnx.getParent());
    JsonNode retrained =
        Retrain.run(
            python,
            home.resolve("samples/retrain.py"),
            source,
            export,
            v2Onnx,
            dir.resolve("v2/retrain.log"));
    steps.done(
        String.format(
            Locale.ROOT,
            "validation accuracy %.3f -> %.3f on %d held-out samples",
            retrained.path("before").path("validationAccuracy").asDouble(),
            retrained.path("validationAccuracy").asDouble(),
            retrained.path("validationSamples").asInt()));

    steps.step("Compile and sign version 2, with a baseline from the drifted training inputs");
    CompileReport v2 =
        compile(v2Onnx, export.resolve("train-inputs.npz"), "2", dir.resolve("v2"), key);
    Baseline v2Baseline = LoopDrift.fromArtifact(v2.artifactPath());
    steps.done(dir.relativize(v2.artifactPath()) + ": " + v2.baseline());

    steps.step("Canary version 2 as a shadow of version 1 (mirrored traffic, answers discarded)");
    DeploymentView shadow =
        fleet.rollout(v2.artifactPath(), DEVICES, "shadow", GATE, steps, Duration.ofMinutes(2));
    if (shadow.state() != DeploymentState.SUCCEEDED) {
      throw new IllegalStateException(
          "the shadow deployment ended " + shadow.state() + ": " + shadow.reason());
    }
    LabelledTraffic.Phase shadowPhase = traffic.send("shadow", SHADOW_REQUESTS, true, 13);
    awaitStored(
        queries,
        "loop-shadow-",
        shadowPhase.answered(),
        shadowPhase.answered(),
        shadowPhase.labelled());
    steps.done(
        shadowPhase.answered()
            + " drifted requests answered by version 1 and mirrored to version 2, all labelled");

    steps.step("Promote on measured field accuracy (shadow phase, same requests)");
    List<FieldAccuracy.Figure> shadowFigures = FieldAccuracy.of(queries, model, "loop-shadow-");
    FieldAccuracy.Figure v1Shadow = FieldAccuracy.find(shadowFigures, "1", false);
    FieldAccuracy.Figure v2Shadow = FieldAccuracy.find(shadowFigures, "2", true);
    Promotion decision = Promotion.decide(v1Shadow, v2Shadow);
    steps.note(decision.reason());
    boolean promoted = false;
    AccuracyGate.Figures gate = null;
    if (decision.promote()) {
      steps.note(
          "rolling out version 2 as primary: "
              + PROMOTE_STRATEGY
              + " --gate "
              + ACCURACY_GATE.text()
              + " while labelled, drifted traffic flows");
      DeploymentView rollout;
      try (BackgroundLoad load = new BackgroundLoad(traffic)) {
        rollout =
            fleet.rollout(
                v2.artifactPath(),
                DEVICES,
                PROMOTE_STRATEGY,
                GATE.withAccuracy(ACCURACY_GATE),
                steps,
                Duration.ofMinutes(3));
      }
      promoted = rollout.state() == DeploymentState.SUCCEEDED;
      gate = rollout.accuracy();
      if (gate != null) {
        steps.note("accuracy gate: " + gate.describe());
      }
      if (promoted) {
        fleet.awaitRunning(DEVICES, model, "2", Duration.ofSeconds(30));
      }
      steps.done(
          promoted
              ? "version 2 promoted: " + rollout.reason()
              : "promotion ended " + rollout.state() + ": " + rollout.reason());
    } else {
      steps.done("version 2 not promoted");
    }

    steps.step(
        "Show the drift back under threshold: "
            + AFTER_REQUESTS
            + " drifted requests against version 2's baseline");
    LabelledTraffic.Phase after = traffic.send("after", AFTER_REQUESTS, true, 14);
    awaitStored(queries, "loop-after-", after.answered(), 0, after.labelled());
    DriftReport afterV2 =
        LoopDrift.check(cloud.store(), v2Baseline, after.fromMs(), after.untilMs());
    FieldAccuracy.Figure v2After =
        FieldAccuracy.find(FieldAccuracy.of(queries, model, "loop-after-"), "2", false);
    steps.note(
        String.format(
            Locale.ROOT,
            "%d records, %d violations; largest: %s",
            afterV2.records(),
            afterV2.violations().size(),
            String.join(" ", LoopDrift.maxima(afterV2))));
    for (String v : LoopDrift.violations(afterV2)) {
      steps.note("  DRIFT " + v);
    }
    steps.done(
        String.format(
            Locale.ROOT,
            "%s; version 2's field accuracy %.3f on %d labelled requests",
            afterV2.drifted() ? "still drifting" : "no drift against version 2's baseline",
            v2After == null ? 0 : v2After.accuracy(),
            v2After == null ? 0 : v2After.labelled()));
    return new LoopSummary(
        model,
        v1Baseline.records(),
        during.drifted(),
        LoopDrift.violations(during),
        LoopDrift.violations(before),
        v1Before.accuracy(),
        v1Drifted.accuracy(),
        exported.train(),
        exported.validation(),
        exported.unlabelled(),
        retrained.path("validationAccuracy").asDouble(),
        v2Baseline.records(),
        decision.oldAccuracy(),
        decision.newAccuracy(),
        decision.labelled(),
        promoted,
        decision.reason(),
        gate == null ? null : ACCURACY_GATE.text(),
        gate == null ? null : gate.newAccuracy(),
        gate == null ? null : gate.oldAccuracy(),
        gate == null ? null : gate.describe(),
        v2After == null ? 0 : v2After.accuracy(),
        afterV2.drifted(),
        LoopDrift.violations(afterV2),
        LoopDrift.maxima(afterV2),
        Math.round((System.nanoTime() - started) / 1e8) / 10.0);
  }

  /** Waits until a phase's captures (serving and shadow) and labels are all in the store. */
  private static void awaitStored(
      CaptureQueries queries, String prefix, long serving, long shadow, long labels)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    long[] have = FieldAccuracy.stored(queries, LoopTask.MODEL, prefix);
    while (have[0] < serving || have[1] < shadow || have[2] < labels) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            String.format(
                "%s*: %d/%d captures, %d/%d shadow captures, %d/%d labels reached the store within a minute",
                prefix, have[0], serving, have[1], shadow, have[2], labels));
      }
      Thread.sleep(200);
      have = FieldAccuracy.stored(queries, LoopTask.MODEL, prefix);
    }
  }

  private static CompileReport compile(
      Path source, Path calibration, String version, Path out, Path key)
      throws java.io.IOException {
    Files.createDirectories(out);
    return new Compiler(DeviceProfiles.fromClasspath(), ProgressListener.SILENT)
        .compile(
            CompileRequest.builder(source)
                .name(LoopTask.MODEL)
                .version(version)
                .output(out)
                .calibrationData(calibration)
                .signKey(key)
                .skipBenchmark(true)
                .build());
  }
}
