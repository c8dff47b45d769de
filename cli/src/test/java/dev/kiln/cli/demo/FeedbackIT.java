package dev.kiln.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.artifact.Json;
import dev.kiln.cli.CliRun;
import dev.kiln.cloud.CloudService;
import dev.kiln.cloud.quality.FieldQuality;
import dev.kiln.cloud.store.CaptureQueries;
import dev.kiln.compiler.pipeline.CompileRequest;
import dev.kiln.compiler.pipeline.Compiler;
import dev.kiln.compiler.pipeline.ProgressListener;
import dev.kiln.profile.DeviceProfiles;
import dev.kiln.testkit.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ground truth end to end, with real agent processes, the embedded broker and DuckDB: feedback
 * streamed to an agent that is killed with {@code kill -9} mid-stream is stored exactly once once
 * the client re-sends what was not acknowledged after the restart; the field accuracy of each
 * version is the one this test computes from the predictions it got and the labels it sent; labels
 * for requests nobody served are counted; bad bodies get 4xx.
 */
class FeedbackIT {
  private static final int SERVED = 60;
  private static final int GHOSTS = 5;

  @TempDir Path tmp;
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void feedback_survivesKill9_exactlyOnce_andFieldAccuracyPerVersionMatches() throws Exception {
    Path key = DemoKeys.generate(tmp.resolve("keys"));
    Path v1 = compile(key, "1");
    Path v2 = compile(key, "2");
    try (CloudService cloud =
        CloudService.start(
            new CloudService.Options(
                null,
                tmp.resolve("cloud.duckdb"),
                "127.0.0.1",
                FreePorts.next(),
                tmp.resolve("broker"),
                false,
                "feedback-ingest",
                null,
                null))) {
      await().until(cloud.ingestor()::ready);
      DemoAgent.Setup one = setup(key, v1, "fb-device-1", cloud.brokerUrl());
      DemoAgent.Setup two = setup(key, v2, "fb-device-2", cloud.brokerUrl());
      Map<String, String> labels = new LinkedHashMap<>();
      int[] correct = new int[3];

      // Version 2 on device 2: every third label disagrees with the prediction.
      try (DemoAgent agent = DemoAgent.launch(two)) {
        agent.awaitHealthy(Duration.ofMinutes(2));
        Map<String, Integer> predicted = serve(two.baseUrl(), "v2-", new Random(2));
        int i = 0;
        for (var e : predicted.entrySet()) {
          int label = i++ % 3 == 0 ? (e.getValue() + 1) % 3 : e.getValue();
          correct[2] += label == e.getValue() ? 1 : 0;
          labels.put(e.getKey(), String.valueOf(label));
          assertThat(feedback(two.baseUrl(), item(e.getKey(), label)).statusCode()).isEqualTo(202);
        }
        // This agent is not started again: what it has not sent when it stops stays in its outbox.
        CaptureQueries q = new CaptureQueries(cloud.store());
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    count(q, "SELECT count(*) FROM feedback WHERE device_id = 'fb-device-2'")
                            == SERVED
                        && count(q, "SELECT count(*) FROM captures WHERE device_id = 'fb-device-2'")
                            == SERVED);
      }

      // Version 1 on device 1: served, its captures on disk, then feedback streamed and the agent
      // killed halfway through the stream.
      DemoAgent agent = DemoAgent.launch(one);
      Map<String, Integer> predicted;
      Set<String> acknowledged = ConcurrentHashMap.newKeySet();
      List<String> stream = new ArrayList<>();
      try {
        agent.awaitHealthy(Duration.ofMinutes(2));
        predicted = serve(one.baseUrl(), "v1-", new Random(1));
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> metric(one.baseUrl(), "kiln_capture_written_total") >= SERVED);
        int i = 0;
        for (var e : predicted.entrySet()) {
          int label = i++ % 2 == 0 ? e.getValue() : (e.getValue() + 2) % 3;
          correct[1] += label == e.getValue() ? 1 : 0;
          labels.put(e.getKey(), String.valueOf(label));
          stream.add(e.getKey());
        }
        CountDownLatch halfway = new CountDownLatch(SERVED / 2);
        AtomicInteger refused = new AtomicInteger();
        Thread sender =
            new Thread(
                () -> {
                  for (String id : stream) {
                    try {
                      HttpResponse<String> r =
                          feedback(one.baseUrl(), item(id, Integer.parseInt(labels.get(id))));
                      if (r.statusCode() == 202) {
                        acknowledged.add(id);
                      } else {
                        refused.incrementAndGet();
                      }
                    } catch (IOException | InterruptedException lostToTheKill) {
                      // Not acknowledged: sent again after the restart.
                    }
                    halfway.countDown();
                  }
                });
        sender.start();
        halfway.await();
        agent.kill();
        sender.join();
        assertThat(refused).hasValue(0);
        assertThat(acknowledged.size()).isBetween(SERVED / 2, SERVED - 1);
      } finally {
        agent.close();
      }

      agent = DemoAgent.launch(one);
      try {
        agent.awaitHealthy(Duration.ofMinutes(2));
        // The client re-sends what it has no 202 for: some of it reached the disk before the kill.
        List<String> resend = new ArrayList<>();
        for (String id : stream) {
          if (!acknowledged.contains(id)) {
            resend.add(item(id, Integer.parseInt(labels.get(id))));
          }
        }
        HttpResponse<String> batch =
            feedback(one.baseUrl(), "{\"feedback\": [" + String.join(",", resend) + "]}");
        assertThat(batch.statusCode()).as(batch.body()).isEqualTo(202);
        assertThat(Json.MAPPER.readTree(batch.body()).path("accepted").asInt())
            .isEqualTo(resend.size());
        // Labels for requests nobody served are taken and counted in the cloud.
        for (int g = 0; g < GHOSTS; g++) {
          assertThat(feedback(one.baseUrl(), item("ghost-" + g, 1)).statusCode()).isEqualTo(202);
        }
        assertBadBodiesRefused(one.baseUrl());

        CaptureQueries q = new CaptureQueries(cloud.store());
        long expected = 2L * SERVED + GHOSTS;
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> count(q, "SELECT count(*) FROM feedback") >= expected);
        // Anything sent twice (stored before the kill, then re-sent) lands on the same row: the
        // count stays put while late deliveries would arrive.
        await()
            .during(Duration.ofSeconds(3))
            .atMost(Duration.ofSeconds(10))
            .until(() -> count(q, "SELECT count(*) FROM feedback") == expected);
        assertThat(count(q, "SELECT count(DISTINCT request_id) FROM feedback")).isEqualTo(expected);
        assertThat(
                count(
                    q,
                    "SELECT count(*) FROM feedback WHERE device_id = 'fb-device-1'"
                        + " AND request_id LIKE 'v1-%'"))
            .isEqualTo(SERVED);
      } finally {
        agent.close();
      }

      FieldQuality.Report report =
          new FieldQuality(cloud.store()).report("mlp", FieldQuality.By.VERSION, false);
      assertThat(report.unmatchedLabels()).isEqualTo(GHOSTS);
      assertThat(report.groups()).extracting(FieldQuality.Group::key).containsExactly("1", "2");
      for (FieldQuality.Group g : report.groups()) {
        int version = Integer.parseInt(g.key());
        assertThat(g.labelled()).isEqualTo(SERVED);
        assertThat(g.accuracy()).isCloseTo((double) correct[version] / SERVED, within(1e-9));
      }
      assertThat(correct[1]).isNotEqualTo(correct[2]);
    }

    String db = tmp.resolve("cloud.duckdb").toString();
    CliRun run = CliRun.of("data", "quality", "--db", db, "--model", "mlp");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("labels matching no capture: " + GHOSTS);

    // Labels imported in bulk land in the same table; twice is once.
    Path csv = tmp.resolve("labels.csv");
    java.nio.file.Files.writeString(csv, "request_id,label\nv2-0,0\nimported-ghost,1\n");
    for (int i = 0; i < 2; i++) {
      CliRun label = CliRun.of("data", "label", "--db", db, "--file", csv.toString());
      assertThat(label.exitCode()).as(label.err()).isZero();
    }
    CliRun json = CliRun.of("data", "quality", "--db", db, "--model", "mlp", "--json");
    assertThat(json.exitCode()).as(json.err()).isZero();
    JsonNode report = Json.MAPPER.readTree(json.out());
    assertThat(report.path("unmatchedLabels").asLong()).isEqualTo(GHOSTS + 1);
    assertThat(report.path("groups").get(1).path("labelled").asLong()).isEqualTo(SERVED);
  }

  /** Serves {@link #SERVED} requests with ids {@code prefix + i}; returns each one's top class. */
  private Map<String, Integer> serve(String baseUrl, String prefix, Random random)
      throws Exception {
    Map<String, Integer> top = new LinkedHashMap<>();
    for (int i = 0; i < SERVED; i++) {
      StringBuilder row = new StringBuilder();
      for (int f = 0; f < 8; f++) {
        row.append(f == 0 ? "" : ",").append(random.nextGaussian() * 3);
      }
      String id = prefix + i;
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(baseUrl + "/invocations"))
                  .header("Content-Type", "application/json")
                  .header("X-Kiln-Request-Id", id)
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"inputs\": {\"input\": [[" + row + "]]}}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      List<Double> scores = new ArrayList<>();
      flatten(Json.MAPPER.readTree(r.body()).path("outputs").path("output"), scores);
      top.put(id, scores.indexOf(Collections.max(scores)));
    }
    return top;
  }

  private static void flatten(JsonNode n, List<Double> out) {
    if (n.isArray()) {
      n.forEach(c -> flatten(c, out));
    } else if (n.isNumber()) {
      out.add(n.asDouble());
    } else if (n.has("data")) {
      flatten(n.get("data"), out);
    }
  }

  private static String item(String requestId, int label) {
    return "{\"requestId\": \"" + requestId + "\", \"label\": " + label + "}";
  }

  private HttpResponse<String> feedback(String baseUrl, String body)
      throws IOException, InterruptedException {
    return feedback(baseUrl, body, "application/json");
  }

  private HttpResponse<String> feedback(String baseUrl, String body, String type)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(baseUrl + "/feedback"))
            .header("Content-Type", type)
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private void assertBadBodiesRefused(String baseUrl) throws Exception {
    for (String bad :
        List.of(
            "{",
            "{\"label\": 1}",
            "{\"requestId\": \"r\"}",
            "{\"requestId\": \"r\", \"label\": 1, \"reward\": 1}",
            "{\"requestId\": \"r\", \"value\": \"x\"}",
            "{\"feedback\": []}")) {
      HttpResponse<String> r = feedback(baseUrl, bad);
      assertThat(r.statusCode()).as(bad + " -> " + r.body()).isEqualTo(400);
      assertThat(r.body()).contains("\"code\":\"INVALID_INPUT\"");
    }
    assertThat(feedback(baseUrl, "requestId=r", "text/plain").statusCode()).isEqualTo(415);
    HttpResponse<String> get =
        http.send(
            HttpRequest.newBuilder(URI.create(baseUrl + "/feedback")).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    // Only POST /feedback is open; who may call is decided before routing, as for /invocations.
    assertThat(get.statusCode()).isEqualTo(401);
  }

  private static long metric(String baseUrl, String name) throws Exception {
    String metrics =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(baseUrl + "/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    return metrics
        .lines()
        .filter(l -> l.startsWith(name + " "))
        .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(' ') + 1).trim()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " in\n" + metrics));
  }

  private Path compile(Path key, String version) {
    return Path.of(
        new Compiler(DeviceProfiles.fromClasspath(), ProgressListener.SILENT)
            .compile(
                CompileRequest.of(
                        CliRun.sample("mlp/mlp.onnx"), null, tmp.resolve("artifacts-" + version))
                    .withIdentity("mlp", version)
                    .withSignKey(key)
                    .withSkipBenchmark(true))
            .artifact());
  }

  private DemoAgent.Setup setup(Path key, Path artifact, String id, String brokerUrl)
      throws IOException {
    return DemoAgent.configure(
        tmp.resolve(id),
        new DemoAgent.Device(
            id,
            null,
            List.of(),
            List.of(artifact),
            List.of(key.resolveSibling("kiln.pub")),
            "mlp",
            brokerUrl,
            2));
  }

  private static long count(CaptureQueries queries, String sql) {
    List<Object> row = queries.query(sql).rows().get(0);
    return ((Number) row.get(0)).longValue();
  }
}
