package dev.kiln.cli.demo;

import dev.kiln.artifact.ArtifactWriter;
import dev.kiln.cli.CliPaths;
import dev.kiln.cli.logging.LogRouting;
import dev.kiln.cli.logging.RoutedLogs;
import dev.kiln.cloud.CloudService;
import dev.kiln.cloud.store.CaptureQueries;
import dev.kiln.cloud.store.QueryResult;
import dev.kiln.compiler.pipeline.CompileReport;
import dev.kiln.compiler.pipeline.CompileRequest;
import dev.kiln.compiler.pipeline.Compiler;
import dev.kiln.compiler.pipeline.ProgressListener;
import dev.kiln.fleet.console.DeploymentView;
import dev.kiln.fleet.rollout.DeploymentState;
import dev.kiln.fleet.rollout.GateConfig;
import dev.kiln.profile.DeviceProfiles;
import dev.kiln.table.TextTable;
import dev.kiln.testkit.FreePorts;
import java.io.IOException;
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
 * The main job end to end on embedded defaults: compile a sample (as two versions), start the cloud
 * side (embedded MQTT 5 broker, ingestor, DuckDB, fleet console), start two real agent processes
 * provisioned with the first version, send inference requests, roll the second version out with a
 * canary over MQTT while traffic flows, and show the captured predictions and the fleet.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run Kiln end to end on this machine with nothing else installed:",
      "compile a sample, start broker + ingestor + fleet console + 2 agents, infer,",
      "roll out a new version with a canary, and watch capture arrive."
    })
public final class DemoCommand implements Callable<Integer> {
  static final List<String> DEVICES = List.of("demo-device-1", "demo-device-2");

  /** Half the devices first, then five seconds of health gates before the rest. */
  static final String STRATEGY = "canary:50:5s";

  /**
   * Errors fail the canary at once; latency only at 5x the old p95, because on a laptop the new
   * version's first requests (cold caches, JIT) are slower than the warm old one's.
   */
  static final GateConfig GATE = new GateConfig(0.05, 5.0, 0.0, 1);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--dir",
      defaultValue = ".kiln-demo",
      description = "Working folder, emptied first (default: ${DEFAULT-VALUE}).")
  Path dir;

  @Option(
      names = "--requests",
      defaultValue = "50",
      description = "Inference requests to send (default: ${DEFAULT-VALUE}).")
  int requests;

  @Option(
      names = "--model",
      defaultValue = "cnn/cnn.onnx",
      description = "Sample under samples/models (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(
      names = "--keep-running",
      description = {
        "After the demo, keep the cloud service (with its web console) and the agents up",
        "until Ctrl-C, and print the console's URL and where its admin token is."
      })
  boolean keepRunning;

  @Option(
      names = "--console-port",
      defaultValue = "8480",
      description =
          "With --keep-running: the web console's port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int consolePort;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path home = CliPaths.home();
    Path source = home.resolve("samples/models").resolve(model);
    Path reference =
        source.resolveSibling(
            source.getFileName().toString().replaceAll("\\.[a-z]+$", "") + ".reference.json");
    ArtifactWriter.deleteTree(dir);
    Files.createDirectories(dir);
    DemoSteps steps = new DemoSteps(out);
    if (!RoutedLogs.verbose(spec)) {
      Path log = dir.resolve("kiln-demo.log");
      LogRouting.toFile(log);
      out.println("Library log lines go to " + log + " (--verbose shows them here instead)");
    }

    steps.step("Generate a signing key");
    Path key = DemoKeys.generate(dir.resolve("keys"));

    steps.step("Compile " + home.relativize(source) + " for this host, as 1.0.0 and 1.1.0");
    CompileReport report = compile(source, dir.resolve("v1.0.0"), "1.0.0", key);
    Path update = Path.of(compile(source, dir.resolve("v1.1.0"), "1.1.0", key).artifact());
    steps.done(
        String.format(
            "%s  (%s, %d -> %d nodes, max error %.1e, signed)",
            dir.relativize(Path.of(report.artifact())),
            report.profile(),
            report.nodesBefore(),
            report.nodesAfter(),
            report.verification().maxAbsError()));

    steps.step("Start the cloud side: embedded MQTT 5 broker, ingestor, DuckDB, fleet console");
    int brokerPort = FreePorts.next();
    CloudService.Options cloudOptions =
        new CloudService.Options(
            null,
            dir.resolve("cloud.duckdb"),
            "127.0.0.1",
            brokerPort,
            dir.resolve("broker"),
            false,
            "kiln-demo-ingest",
            null,
            null);
    DemoKeepRunning keep = keepRunning ? DemoKeepRunning.install() : null;
    try (DemoCloud cloudSide =
        keepRunning
            ? DemoCloud.service(cloudOptions, dir.resolve("service"), consolePort, out)
            : DemoCloud.embedded(cloudOptions, dir.resolve("console"))) {
      CloudService cloud = cloudSide.cloud();
      DemoFleet fleet = cloudSide.fleet();
      steps.done(cloud.brokerUrl() + ", store " + dir.resolve("cloud.duckdb"));
      if (cloudSide.consoleUrl() != null) {
        steps.done(
            "web console on "
                + cloudSide.consoleUrl()
                + " (admin token in "
                + cloudSide.adminToken()
                + ")");
      }

      steps.step(
          "Start " + DEVICES.size() + " kiln-agent processes with 1.0.0, trusting both keys");
      List<DemoAgent> agents = new ArrayList<>();
      try {
        for (String device : DEVICES) {
          DemoAgent.Setup setup =
              DemoAgent.configure(
                  dir.resolve(device),
                  new DemoAgent.Device(
                      device,
                      null,
                      List.of("demo"),
                      List.of(Path.of(report.artifact())),
                      List.of(key.resolveSibling("kiln.pub"), fleet.publicKey()),
                      report.model(),
                      cloud.brokerUrl(),
                      2));
          agents.add(DemoAgent.launch(setup));
        }
        for (DemoAgent agent : agents) {
          agent.awaitHealthy(Duration.ofMinutes(3));
        }
        fleet.awaitOnline(DEVICES, Duration.ofMinutes(1));
        steps.done(
            "serving "
                + report.model()
                + "@1.0.0 on "
                + agents.stream().map(DemoAgent::baseUrl).toList()
                + ", both reporting to the fleet console");

        steps.step("Send " + requests + " inference requests to POST /invocations");
        int answered = 0;
        DemoTraffic.Result traffic = null;
        for (int i = 0; i < agents.size(); i++) {
          int share = requests / agents.size() + (i < requests % agents.size() ? 1 : 0);
          traffic = DemoTraffic.send(agents.get(i).baseUrl(), reference, share);
          answered += traffic.answered();
        }
        steps.done(
            String.format(
                "%d answered, predicted classes %s, max |output - PyTorch reference| = %.1e",
                answered, traffic.topClasses(), traffic.maxError()));

        steps.step("Roll out 1.1.0 over MQTT: " + STRATEGY + " while traffic flows");
        DeploymentView rollout;
        int during;
        int failed;
        try (DemoLoad load =
            new DemoLoad(agents.stream().map(DemoAgent::baseUrl).toList(), reference)) {
          rollout = fleet.rollout(update, DEVICES, STRATEGY, GATE, steps, Duration.ofMinutes(3));
          load.close();
          during = load.answered();
          failed = load.failed();
        }
        answered += during;
        steps.done(during + " requests answered during the rollout, " + failed + " failed");
        if (rollout.state() != DeploymentState.SUCCEEDED) {
          throw new IllegalStateException(
              "the canary did not succeed: " + rollout.state() + ", " + rollout.reason());
        }

        steps.step("Wait for captured predictions to reach DuckDB through MQTT");
        CaptureQueries queries = new CaptureQueries(cloud.store());
        long captured = DemoWait.captures(queries, answered, Duration.ofMinutes(1), steps);
        steps.done(captured + " of " + answered + " predictions captured, each exactly once");

        out.println();
        out.println("Captured predictions by device, model and version:");
        print(
            out,
            queries.query(
                "SELECT device_id, model, version, variant, count(*) AS predictions,"
                    + " round(avg(latency_ms), 3) AS avg_latency_ms, "
                    + queries.dialect().mode("output_top")
                    + " AS top_class FROM captures GROUP BY device_id, model, version, variant"
                    + " ORDER BY device_id, model, version, variant"));
        DemoWait.heartbeat(queries, Duration.ofSeconds(30));
        fleet.awaitRunning(DEVICES, report.model(), "1.1.0", Duration.ofSeconds(30));
        out.println("Fleet (from the console: status, info and heartbeats over MQTT):");
        out.println(fleet.devicesTable());
        if (keepRunning) {
          keep.untilCtrlC(out, cloudSide.consoleUrl(), cloudSide.adminToken());
        }
      } finally {
        for (DemoAgent agent : agents) {
          agent.close();
        }
      }
    } finally {
      if (keep != null) {
        keep.closed();
      }
    }
    out.println("Done. Everything is in " + dir + "; try:");
    if (!keepRunning) {
      out.println("  ./kiln demo --keep-running   # then open the fleet in the web console");
    }
    out.println(
        "  ./kiln data query --db "
            + dir.resolve("cloud.duckdb")
            + " \"SELECT model, count(*) FROM captures GROUP BY 1\"");
    out.flush();
    return 0;
  }

  private static CompileReport compile(Path source, Path out, String version, Path key)
      throws IOException {
    Files.createDirectories(out);
    return new Compiler(DeviceProfiles.fromClasspath(), ProgressListener.SILENT)
        .compile(
            CompileRequest.of(source, null, out)
                .withIdentity(null, version)
                .withSignKey(key)
                .withSkipBenchmark(true));
  }

  private static void print(PrintWriter out, QueryResult result) {
    TextTable table = new TextTable(result.columns().toArray(String[]::new));
    for (List<Object> row : result.rows()) {
      table.row(row.toArray());
    }
    out.println(table.render());
  }
}
