package dev.kiln.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.artifact.Json;
import dev.kiln.cli.CliRun;
import dev.kiln.cloud.CloudService;
import dev.kiln.cloud.store.CaptureQueries;
import dev.kiln.compiler.pipeline.CompileReport;
import dev.kiln.compiler.pipeline.CompileRequest;
import dev.kiln.compiler.pipeline.Compiler;
import dev.kiln.compiler.pipeline.ProgressListener;
import dev.kiln.profile.DeviceProfiles;
import dev.kiln.testkit.Mosquitto;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real agent process capturing into a real Mosquitto and the ingestor, through a broker outage
 * and a kill -9 of the agent: inference answers throughout, and every answered request ends in
 * DuckDB exactly once.
 */
class AgentCaptureFaultsIT {
  @TempDir Path tmp;

  @Test
  void brokerOutageAndAgentKill_loseNothing_andInferenceKeepsAnswering() throws Exception {
    Mosquitto.requireInstalled();
    Path key = DemoKeys.generate(tmp.resolve("keys"));
    CompileReport report =
        new Compiler(DeviceProfiles.fromClasspath(), ProgressListener.SILENT)
            .compile(
                CompileRequest.of(CliRun.sample("mlp/mlp.onnx"), null, tmp)
                    .withSignKey(key)
                    .withSkipBenchmark(true));
    byte[] body =
        DemoTraffic.body(Json.MAPPER.readTree(CliRun.sample("mlp/mlp.reference.json").toFile()));

    try (Mosquitto broker = Mosquitto.start(tmp.resolve("mosquitto"));
        CloudService cloud =
            CloudService.start(
                new CloudService.Options(
                    broker.url(),
                    tmp.resolve("cloud.duckdb"),
                    null,
                    0,
                    null,
                    false,
                    "faults-ingest",
                    null,
                    null))) {
      await().until(cloud.ingestor()::ready);
      DemoAgent.Setup setup =
          DemoAgent.configure(tmp, Path.of(report.artifact()), key, report.model(), broker.url());
      CaptureQueries queries = new CaptureQueries(cloud.store());
      HttpClient http = HttpClient.newHttpClient();
      int answered = 0;

      DemoAgent agent = DemoAgent.launch(setup);
      try {
        agent.awaitHealthy(Duration.ofMinutes(2));
        answered += invoke(http, setup.baseUrl(), body, 50);

        broker.stop();
        answered += invoke(http, setup.baseUrl(), body, 50); // served while the broker is down
        // Once the background writer has put every served record on disk, kill without warning.
        long served = answered;
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> writtenToDisk(http, setup.baseUrl()) >= served);
        agent.kill();
      } finally {
        agent.close();
      }

      broker.restart();
      agent = DemoAgent.launch(setup);
      try {
        agent.awaitHealthy(Duration.ofMinutes(2));
        answered += invoke(http, setup.baseUrl(), body, 50);
        long expected = answered;
        await()
            .atMost(Duration.ofSeconds(90))
            .until(() -> count(queries, "SELECT count(*) FROM captures") == expected);
        // Heartbeats carry the window figures the fleet's health gates read.
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    count(
                            queries,
                            "SELECT count(*) FROM devices WHERE metrics LIKE '%inference.p95_ms%'"
                                + " AND metrics LIKE '%inference.error_rate%'")
                        == 1);
      } finally {
        agent.close();
      }
      assertThat(count(queries, "SELECT count(DISTINCT id) FROM captures")).isEqualTo(150);
      assertThat(count(queries, "SELECT count(*) FROM captures")).isEqualTo(150);
    }
  }

  /** Sends {@code n} requests; every one must be answered 200, whatever the cloud is doing. */
  private static int invoke(HttpClient http, String baseUrl, byte[] body, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(baseUrl + "/invocations"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }
    return n;
  }

  /** Capture records the agent has written to its disk outbox and flushed, from its metrics. */
  private static long writtenToDisk(HttpClient http, String baseUrl) throws Exception {
    String metrics =
        http.send(
                HttpRequest.newBuilder(URI.create(baseUrl + "/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    return metrics
        .lines()
        .filter(l -> l.startsWith("kiln_capture_written_total "))
        .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(' ') + 1).trim()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no kiln_capture_written_total in\n" + metrics));
  }

  private static long count(CaptureQueries queries, String sql) {
    List<Object> row = queries.query(sql).rows().get(0);
    return ((Number) row.get(0)).longValue();
  }
}
