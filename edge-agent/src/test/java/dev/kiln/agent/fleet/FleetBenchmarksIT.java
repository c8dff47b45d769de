package dev.kiln.agent.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.agent.TestArtifacts;
import dev.kiln.agent.config.AgentConfig;
import dev.kiln.agent.config.ConfigLoader;
import dev.kiln.agent.runtime.EngineRunnerFactory;
import dev.kiln.agent.serving.Metrics;
import dev.kiln.agent.serving.ModelManager;
import dev.kiln.agent.serving.ModelRegistry;
import dev.kiln.agent.store.ArtifactStore;
import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.link.command.Replier;
import dev.kiln.link.protocol.BenchmarkPayload;
import dev.kiln.link.protocol.BenchmarkReport;
import dev.kiln.link.protocol.Command;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.ReplyCode;
import dev.kiln.profile.DeviceProfiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device side of the {@code benchmark} command on a real model manager with the real CNN:
 * replies in order with the report as the result, one benchmark at a time, refusals with their
 * reasons, and a load that waits while production requests are in flight.
 */
class FleetBenchmarksIT {
  @TempDir Path tmp;
  private ModelManager models;
  private final AtomicBoolean production = new AtomicBoolean();

  /** Every reply, as "STATUS CODE message" lines, and the result of SUCCEEDED. */
  private static final class Recorded implements Replier {
    final List<String> lines = new CopyOnWriteArrayList<>();
    volatile Object result;

    private CompletableFuture<Void> add(String line) {
      lines.add(line);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> accept() {
      return add("ACCEPTED");
    }

    @Override
    public CompletableFuture<Void> progress(int percent, String message) {
      return add("IN_PROGRESS " + percent + " " + message);
    }

    @Override
    public CompletableFuture<Void> succeeded(String message) {
      return add("SUCCEEDED " + message);
    }

    @Override
    public CompletableFuture<Void> succeeded(String message, Object result) {
      this.result = result;
      return succeeded(message);
    }

    @Override
    public CompletableFuture<Void> failed(ReplyCode code, String message) {
      return add("FAILED " + code + " " + message);
    }

    @Override
    public CompletableFuture<Void> rejected(ReplyCode code, String message) {
      return add("REJECTED " + code + " " + message);
    }

    boolean finished() {
      return lines.stream().anyMatch(l -> l.matches("(SUCCEEDED|FAILED|REJECTED).*"));
    }
  }

  @BeforeEach
  void agentWithTheCnn() throws Exception {
    KeyPair key = Ed25519Keys.generate();
    Path file =
        TestArtifacts.build(TestArtifacts.spec().sample("cnn").name("cnn"), key, tmp.resolve("a"));
    Path configFile = tmp.resolve("agent.json");
    Files.writeString(
        configFile, "{\"deviceId\":\"d1\",\"stateDir\":\"" + tmp.resolve("state") + "\"}");
    AgentConfig config = ConfigLoader.load(configFile);
    models =
        new ModelManager(
            new ArtifactStore(
                config.stateDir(),
                Map.of(Ed25519Keys.keyId(key.getPublic()), key.getPublic()),
                true,
                DeviceProfiles.fromClasspath().get("linux-x86_64")),
            new ModelRegistry(1L << 30),
            new EngineRunnerFactory(0),
            config,
            new Metrics());
    models.start();
    models.install(file, ModelManager.Placement.REPLACE, 1.0, false);
  }

  @AfterEach
  void close() {
    models.close();
  }

  private FleetBenchmarks benchmarks() {
    return new FleetBenchmarks("d1", models, production::get, 2);
  }

  private static Command command(String id, BenchmarkPayload payload) {
    long now = System.currentTimeMillis();
    JsonNode body = ProtocolJson.mapper().valueToTree(payload);
    return new Command(1, id, BenchmarkPayload.TYPE, "d1", now, now + 60_000, id, body, null, null);
  }

  private static final BenchmarkPayload.Budget SHORT =
      new BenchmarkPayload.Budget(60, 0.5, 1_000_000, 3);

  @Test
  void measuresTheServingVersion_repliesInOrder_andRefusesASecondWhileBusy() throws Exception {
    FleetBenchmarks bench = benchmarks();
    Recorded first = new Recorded();
    Recorded second = new Recorded();
    List<BenchmarkPayload.Config> configs =
        List.of(new BenchmarkPayload.Config(1, 1, 1, 1), new BenchmarkPayload.Config(1, 2, 16, 3));

    bench.handle(
        command(
            "c1",
            new BenchmarkPayload(
                List.of(new BenchmarkPayload.Target("cnn", null)), configs, SHORT)),
        first);
    bench.handle(
        command(
            "c2",
            new BenchmarkPayload(
                List.of(new BenchmarkPayload.Target("cnn", null)), configs, SHORT)),
        second);
    await().atMost(Duration.ofSeconds(60)).until(first::finished);

    assertThat(second.lines)
        .singleElement()
        .asString()
        .startsWith("REJECTED BUSY a benchmark is already running");
    assertThat(first.lines).hasSize(4);
    assertThat(first.lines.get(0)).isEqualTo("ACCEPTED");
    assertThat(first.lines.get(1)).startsWith("IN_PROGRESS 50 cnn@1 fp32 t1 p1 nobatch c1: p50 ");
    assertThat(first.lines.get(2)).startsWith("IN_PROGRESS 100 cnn@1 fp32 t1 p2 batch16 c3: p50 ");
    assertThat(first.lines.get(3)).isEqualTo("SUCCEEDED measured 2 of 2 configurations");
    BenchmarkReport report = (BenchmarkReport) first.result;
    assertThat(report.host()).isEqualTo("d1");
    assertThat(report.rows()).allSatisfy(r -> assertThat(r.measured()).isTrue());

    Recorded afterwards = new Recorded();
    bench.handle(
        command(
            "c3",
            new BenchmarkPayload(
                List.of(new BenchmarkPayload.Target("cnn", "1")), List.of(configs.get(0)), SHORT)),
        afterwards);
    await().atMost(Duration.ofSeconds(60)).until(afterwards::finished);
    assertThat(afterwards.lines).last().asString().startsWith("SUCCEEDED");
  }

  @Test
  void theLoadWaits_whileProductionRequestsAreInFlight() throws Exception {
    production.set(true);
    java.util.concurrent.atomic.AtomicInteger heldBack =
        new java.util.concurrent.atomic.AtomicInteger();
    FleetBenchmarks bench =
        new FleetBenchmarks(
            "d1",
            models,
            () -> {
              boolean busy = production.get();
              if (busy) {
                heldBack.incrementAndGet();
              }
              return busy;
            },
            2);
    Recorded r = new Recorded();
    bench.handle(
        command(
            "c1",
            new BenchmarkPayload(
                List.of(new BenchmarkPayload.Target("cnn", null)),
                List.of(new BenchmarkPayload.Config(1, 1, 1, 2)),
                SHORT)),
        r);
    // Production ends only after the benchmark has been held back by it for a while.
    await().atMost(Duration.ofSeconds(60)).until(() -> heldBack.get() > 0);
    Thread.sleep(200);
    production.set(false);
    await().atMost(Duration.ofSeconds(60)).until(r::finished);

    BenchmarkReport report = (BenchmarkReport) r.result;
    assertThat(report.rows().get(0).yieldedMs()).as("the clients waited").isPositive();
    assertThat(report.rows().get(0).measured()).isTrue();
  }

  @Test
  void refusals_nameTheReason_andRunNothing() {
    Recorded tooLong = new Recorded();
    benchmarks()
        .handle(
            command(
                "c1",
                new BenchmarkPayload(
                    List.of(new BenchmarkPayload.Target("cnn", null)),
                    List.of(),
                    new BenchmarkPayload.Budget(3600, 0, 0, 0))),
            tooLong);
    Recorded missing = new Recorded();
    benchmarks()
        .handle(
            command(
                "c2",
                new BenchmarkPayload(
                    List.of(new BenchmarkPayload.Target("resnet", null)), List.of(), null)),
            missing);
    Recorded none = new Recorded();
    benchmarks().handle(command("c3", new BenchmarkPayload(List.of(), List.of(), null)), none);

    assertThat(tooLong.lines)
        .singleElement()
        .asString()
        .startsWith("REJECTED INVALID_COMMAND budget.maxSeconds must be in (0, 600]");
    assertThat(missing.lines)
        .singleElement()
        .asString()
        .startsWith("REJECTED INVALID_COMMAND")
        .contains("resnet");
    assertThat(none.lines)
        .singleElement()
        .asString()
        .contains("artifacts must name at least one installed model");
  }
}
