package dev.kiln.cli.loop;

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
import dev.kiln.cloud.store.CaptureQueries;
import dev.kiln.compiler.pipeline.CompileReport;
import dev.kiln.compiler.pipeline.CompileRequest;
import dev.kiln.compiler.pipeline.Compiler;
import dev.kiln.compiler.pipeline.ProgressListener;
import dev.kiln.profile.DeviceProfiles;
import dev.kiln.testkit.FreePorts;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

  /** Version 1's baseline: calibration inputs drawn from the distribution before the drift. */
  static final int CALIBRATION_SAMPLES = 2000;

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
        LoopContext c =
            new LoopContext(
                steps,
                cloud.store(),
                new CaptureQueries(cloud.store()),
                fleet,
                new LabelledTraffic(agents.stream().map(DemoAgent::baseUrl).toList()),
                home,
                dir,
                python,
                key,
                source);
        RetrainSteps.Result retrained = RetrainSteps.run(c, v1Baseline);
        RolloutSteps.Result rolled = RolloutSteps.run(c, retrained.v2(), retrained.v2Baseline());
        LoopSummary summary =
            LoopSummary.of(v1Baseline, retrained, rolled, (System.nanoTime() - started) / 1e9);
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

  static CompileReport compile(Path source, Path calibration, String version, Path out, Path key)
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
