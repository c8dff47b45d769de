package dev.kiln.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.artifact.Json;
import dev.kiln.cli.CliRun;
import dev.kiln.cloud.CloudService;
import dev.kiln.compiler.pipeline.CompileRequest;
import dev.kiln.compiler.pipeline.Compiler;
import dev.kiln.compiler.pipeline.ProgressListener;
import dev.kiln.profile.DeviceProfiles;
import dev.kiln.testkit.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln recommend --device} end to end: the real command line sends a signed {@code
 * benchmark} command through the embedded broker to a real kiln-agent process, which measures the
 * sample CNN it serves and answers with its report; the CLI prints the table and a recommendation
 * that agrees with the measured numbers. A tiny grid and short loads; no timing is asserted.
 */
class RecommendDeviceIT {
  private static final String DEVICE = "bench-1";

  @TempDir static Path tmp;
  private static CloudService cloud;
  private static DemoAgent agent;
  private static Path consoleDir;

  @BeforeAll
  static void deviceAndBroker() throws Exception {
    Path artifactKey = DemoKeys.generate(tmp.resolve("keys"));
    consoleDir = tmp.resolve("console");
    Files.createDirectories(consoleDir);
    Path consolePub = consoleDir.resolve("console.pub");
    Ed25519Keys.writePair(Ed25519Keys.generate(), consoleDir.resolve("console.key"), consolePub);
    Path artifact =
        Path.of(
            new Compiler(DeviceProfiles.fromClasspath(), ProgressListener.SILENT)
                .compile(
                    CompileRequest.of(CliRun.sample("cnn/cnn.onnx"), null, tmp.resolve("cnn"))
                        .withIdentity("cnn", "1.0.0")
                        .withSignKey(artifactKey)
                        .withSkipBenchmark(true))
                .artifact());
    cloud =
        CloudService.start(
            new CloudService.Options(
                null,
                tmp.resolve("cloud.duckdb"),
                "127.0.0.1",
                FreePorts.next(),
                tmp.resolve("broker"),
                false,
                "recommend-it-ingest",
                null,
                null));
    agent =
        DemoAgent.launch(
            DemoAgent.configure(
                tmp.resolve("agent"),
                new DemoAgent.Device(
                    DEVICE,
                    null,
                    List.of(),
                    List.of(artifact),
                    List.of(artifactKey.resolveSibling("kiln.pub"), consolePub),
                    "cnn",
                    cloud.brokerUrl(),
                    1)));
    agent.awaitHealthy(Duration.ofMinutes(2));
  }

  @AfterAll
  static void stop() throws Exception {
    if (agent != null) {
      agent.close();
    }
    if (cloud != null) {
      cloud.close();
    }
  }

  private static CliRun recommend(String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "recommend",
                "--broker",
                cloud.brokerUrl(),
                "--state-dir",
                consoleDir.toString(),
                "--device",
                DEVICE));
    args.addAll(List.of(extra));
    return CliRun.of(args.toArray(String[]::new));
  }

  private static final String[] TINY_GRID = {
    "--threads",
    "1",
    "--predictors",
    "1,2",
    "--batch",
    "1,16",
    "--concurrency",
    "3",
    "--seconds-per-config",
    "0.3",
    "--warm-up",
    "3",
    "--max-seconds",
    "60"
  };

  @Test
  void theDeviceMeasuresEachConfiguration_andTheRecommendationAgreesWithItsNumbers()
      throws Exception {
    List<String> args = new ArrayList<>(List.of("cnn", "--json"));
    args.addAll(List.of(TINY_GRID));
    CliRun run = recommend(args.toArray(String[]::new));

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.err())
        .contains("sent to " + DEVICE)
        .contains(DEVICE + " accepted the benchmark")
        .contains("[25%] cnn@1.0.0 fp32 t1 p1 nobatch c3: p50 ")
        .contains("[100%] cnn@1.0.0 fp32 t1 p2 batch16 c3: ");
    JsonNode json = Json.MAPPER.readTree(run.out());
    JsonNode rows = json.at("/report/rows");
    assertThat(json.at("/report/host").asText()).isEqualTo(DEVICE);
    assertThat(rows).hasSize(4);
    List<String> labels = new ArrayList<>();
    double bestRps = 0;
    for (JsonNode r : rows) {
      labels.add(
          r.at("/config/threads").asInt()
              + "/"
              + r.at("/config/predictors").asInt()
              + "/"
              + r.at("/config/maxBatchSize").asInt()
              + "/"
              + r.at("/config/concurrency").asInt());
      assertThat(r.path("skipped").isMissingNode() || r.path("skipped").isNull())
          .as(r.toString())
          .isTrue();
      assertThat(r.path("requests").asLong()).isPositive();
      assertThat(r.path("errors").asLong()).isZero();
      assertThat(r.path("p50Ms").asDouble()).isLessThanOrEqualTo(r.path("p95Ms").asDouble());
      assertThat(r.path("p95Ms").asDouble()).isLessThanOrEqualTo(r.path("p99Ms").asDouble());
      assertThat(r.path("rssMiB").asDouble()).as("the agent's RSS").isPositive();
      bestRps = Math.max(bestRps, r.path("throughput").asDouble());
    }
    assertThat(labels).containsExactly("1/1/1/3", "1/1/16/3", "1/2/1/3", "1/2/16/3");
    JsonNode best = json.get("recommended");
    assertThat(best.path("throughput").asDouble())
        .as("--max-throughput is the fastest row measured")
        .isEqualTo(bestRps);
    assertThat(json.at("/agentConfig/threads/inference").asInt())
        .isEqualTo(best.at("/config/threads").asInt());
    assertThat(json.at("/agentConfig/threads/predictors").asInt())
        .isEqualTo(best.at("/config/predictors").asInt());
    assertThat(json.at("/agentConfig/batching/models/cnn/maxBatchSize").asInt())
        .isEqualTo(best.at("/config/maxBatchSize").asInt());
    assertThat(Files.readString(consoleDir.resolve("audit.jsonl")))
        .as("the benchmark command and its outcome are audited")
        .contains("\"commandType\":\"benchmark\"")
        .contains("\"status\":\"SUCCEEDED\"");

    // The same rows as a table, judged against a p95 bound that the slowest p95 meets.
    double loosest = 0;
    for (JsonNode r : rows) {
      loosest = Math.max(loosest, r.path("p95Ms").asDouble());
    }
    List<String> table = new ArrayList<>(List.of("cnn", "--max-p95", "100000"));
    table.addAll(List.of(TINY_GRID));
    CliRun printed = recommend(table.toArray(String[]::new));
    assertThat(printed.exitCode()).as(printed.out() + printed.err()).isZero();
    assertThat(printed.out())
        .contains("ARTIFACT", "P50 MS", "P95 MS", "P99 MS", "REQ/S", "RSS MIB")
        .contains("Recommended (* above) for the highest throughput with p95 at most 100000 ms")
        .contains("\"inference\" : 1");
    assertThat(printed.out().lines().filter(l -> l.matches("[* ] cnn@1\\.0\\.0 .*")).count())
        .as(printed.out())
        .isEqualTo(4);
    assertThat(printed.out().lines().filter(l -> l.startsWith("* cnn@1.0.0")).count()).isEqualTo(1);
    assertThat(loosest).isPositive();
  }

  @Test
  void apply_setsTheRecommendedSettingsOnTheDevice_whichKeepsThemAndServes() throws Exception {
    List<String> args = new ArrayList<>(List.of("cnn", "--apply", "--json"));
    args.addAll(List.of(TINY_GRID));
    CliRun run = recommend(args.toArray(String[]::new));

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    JsonNode best = Json.MAPPER.readTree(run.out()).get("recommended");
    int threads = best.at("/config/threads").asInt();
    int predictors = best.at("/config/predictors").asInt();
    int batch = best.at("/config/maxBatchSize").asInt();
    assertThat(run.err())
        .contains("config ")
        .contains(
            "Applied on "
                + DEVICE
                + ": cnn serves with threads "
                + threads
                + ", predictors "
                + predictors
                + ", maxBatchSize "
                + batch);
    JsonNode kept = Json.MAPPER.readTree(tmp.resolve("agent/state/serving/cnn.json").toFile());
    assertThat(kept.path("threads").asInt()).isEqualTo(threads);
    assertThat(kept.path("predictors").asInt()).isEqualTo(predictors);
    assertThat(kept.path("maxBatchSize").asInt()).isEqualTo(batch);
    agent.awaitHealthy(Duration.ofSeconds(30));
    assertThat(Files.readString(consoleDir.resolve("audit.jsonl")))
        .contains("\"commandType\":\"config\"");
  }

  @Test
  void aModelTheDeviceDoesNotHave_isRefusedWithTheReason() {
    CliRun run = recommend("resnet", "--seconds-per-config", "0.1");

    assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(1);
    assertThat(run.err()).contains(DEVICE + " REJECTED INVALID_COMMAND").contains("resnet");
  }
}
