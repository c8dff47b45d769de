package dev.kiln.cli.demo;

import dev.kiln.artifact.ArtifactWriter;
import dev.kiln.cli.CliPaths;
import dev.kiln.cli.table.TextTable;
import dev.kiln.cloud.CloudService;
import dev.kiln.cloud.store.CaptureQueries;
import dev.kiln.cloud.store.QueryResult;
import dev.kiln.compiler.pipeline.CompileReport;
import dev.kiln.compiler.pipeline.CompileRequest;
import dev.kiln.compiler.pipeline.Compiler;
import dev.kiln.compiler.pipeline.ProgressListener;
import dev.kiln.profile.DeviceProfiles;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The main job end to end on embedded defaults: compile a sample, start the cloud side (embedded
 * MQTT 5 broker, ingestor, DuckDB), start a real agent process linked to it, send inference
 * requests, and show the captured predictions arriving in the store.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run Kiln end to end on this machine with nothing else installed:",
      "compile a sample, start broker + ingestor + agent, infer, and watch capture arrive."
    })
public final class DemoCommand implements Callable<Integer> {
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

    steps.step("Generate a signing key");
    Path key = DemoKeys.generate(dir.resolve("keys"));

    steps.step("Compile " + home.relativize(source) + " for this host");
    CompileReport report =
        new Compiler(DeviceProfiles.fromClasspath(), ProgressListener.SILENT)
            .compile(CompileRequest.of(source, null, dir).withSignKey(key).withSkipBenchmark(true));
    steps.done(
        String.format(
            "%s  (%s, %d -> %d nodes, max error %.1e, signed)",
            dir.relativize(Path.of(report.artifact())),
            report.profile(),
            report.nodesBefore(),
            report.nodesAfter(),
            report.verification().maxAbsError()));

    steps.step("Start the cloud side: embedded MQTT 5 broker, ingestor, DuckDB");
    int brokerPort = Ports.free();
    try (CloudService cloud =
        CloudService.start(
            new CloudService.Options(
                null,
                dir.resolve("cloud.duckdb"),
                "127.0.0.1",
                brokerPort,
                dir.resolve("broker"),
                false,
                "kiln-demo-ingest",
                null,
                null))) {
      steps.done(cloud.brokerUrl() + ", store " + dir.resolve("cloud.duckdb"));

      steps.step("Start kiln-agent as its own process, trusting the demo key");
      try (DemoAgent agent =
          DemoAgent.start(
              dir, Path.of(report.artifact()), key, report.model(), cloud.brokerUrl())) {
        agent.awaitHealthy(Duration.ofMinutes(3));
        steps.done("serving " + report.model() + " on " + agent.baseUrl() + " (GET /ping is 200)");

        steps.step("Send " + requests + " inference requests to POST /invocations");
        DemoTraffic.Result traffic = DemoTraffic.send(agent.baseUrl(), reference, requests);
        steps.done(
            String.format(
                "%d answered, predicted classes %s, max |output - PyTorch reference| = %.1e",
                traffic.answered(), traffic.topClasses(), traffic.maxError()));

        steps.step("Wait for captured predictions to reach DuckDB through MQTT");
        CaptureQueries queries = new CaptureQueries(cloud.store());
        long captured =
            DemoWait.captures(queries, traffic.answered(), Duration.ofMinutes(1), steps);
        steps.done(
            captured + " of " + traffic.answered() + " predictions captured, each exactly once");

        out.println();
        out.println("Captured predictions by device, model and version:");
        print(
            out,
            queries.query(
                "SELECT device_id, model, version, variant, count(*) AS predictions,"
                    + " round(avg(latency_ms), 3) AS avg_latency_ms, mode(output_top) AS top_class"
                    + " FROM captures GROUP BY ALL ORDER BY ALL"));
        DemoWait.heartbeat(queries, Duration.ofSeconds(30));
        out.println("Devices (from status and heartbeats):");
        print(
            out,
            queries.query(
                "SELECT device_id, state, agent_version, last_heartbeat_at FROM devices ORDER BY 1"));
      }
    }
    out.println("Done. Everything is in " + dir + "; try:");
    out.println(
        "  ./kiln data query --db "
            + dir.resolve("cloud.duckdb")
            + " \"SELECT model, count(*) FROM captures GROUP BY 1\"");
    out.flush();
    return 0;
  }

  private static void print(PrintWriter out, QueryResult result) {
    TextTable table = new TextTable(result.columns().toArray(String[]::new));
    for (List<Object> row : result.rows()) {
      table.row(row.toArray());
    }
    out.println(table.render());
  }
}
