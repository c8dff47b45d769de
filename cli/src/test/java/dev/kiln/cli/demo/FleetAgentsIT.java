package dev.kiln.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.artifact.Json;
import dev.kiln.cli.CliRun;
import dev.kiln.cloud.CloudService;
import dev.kiln.cloud.store.CaptureQueries;
import dev.kiln.compiler.pipeline.CompileRequest;
import dev.kiln.compiler.pipeline.Compiler;
import dev.kiln.compiler.pipeline.ProgressListener;
import dev.kiln.fleet.console.ArtifactRefs;
import dev.kiln.fleet.console.CommandFactory;
import dev.kiln.fleet.console.ConsoleConfig;
import dev.kiln.fleet.console.DeploymentView;
import dev.kiln.fleet.console.FleetConsole;
import dev.kiln.fleet.rollout.ArtifactRef;
import dev.kiln.fleet.rollout.DeploymentState;
import dev.kiln.fleet.rollout.DeviceRollout;
import dev.kiln.fleet.rollout.GateConfig;
import dev.kiln.fleet.rollout.RolloutEngine;
import dev.kiln.fleet.rollout.TargetSelector;
import dev.kiln.fleet.state.DeviceRecord;
import dev.kiln.link.protocol.Command;
import dev.kiln.link.protocol.CommandReply;
import dev.kiln.link.protocol.DeployPayload;
import dev.kiln.link.protocol.InboundMessage;
import dev.kiln.link.protocol.MessageProps;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.Topic;
import dev.kiln.link.protocol.TopicKind;
import dev.kiln.link.protocol.Topics;
import dev.kiln.link.transport.MqttTransport;
import dev.kiln.link.transport.TransportConfig;
import dev.kiln.profile.DeviceProfiles;
import dev.kiln.testkit.Mosquitto;
import dev.kiln.testkit.TcpProxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet console driving real kiln-agent processes through a real Mosquitto: signed commands,
 * artifacts over MQTT, real health checks, and health gates fed by the agents' own heartbeats while
 * traffic flows. The tests run in order on one fleet, each starting from where the last left it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetAgentsIT {
  private static final Duration WAIT = Duration.ofSeconds(120);

  /** The canary judge: any error rate above 5% fails; latency is not judged on a shared CI box. */
  private static final GateConfig GATE = new GateConfig(0.05, 50.0, 0.0, 1);

  @TempDir static Path tmp;
  private static Mosquitto broker;
  private static TcpProxy slowLink;
  private static FleetConsole console;
  private static MqttTransport observer;
  private static final List<InboundMessage> seen = new CopyOnWriteArrayList<>();
  private static final Map<String, DemoAgent.Setup> setups = new LinkedHashMap<>();
  private static final Map<String, DemoAgent> agents = new LinkedHashMap<>();
  private static Path artifactKey;
  private static Path consolePub;
  private static Path v1;
  private static ArtifactRef v2;
  private static ArtifactRef v3Faulty;
  private static ArtifactRef v4;
  private static ArtifactRef v5;
  private static ArtifactRef v6;
  private static ArtifactRef v7;
  private static CloudService cloud;
  private static Traffic traffic;

  @BeforeAll
  static void fleet() throws Exception {
    Mosquitto.requireInstalled();
    artifactKey = DemoKeys.generate(tmp.resolve("keys"));
    KeyPair consoleKey = Ed25519Keys.generate();
    consolePub = tmp.resolve("console-keys").resolve("console.pub");
    Files.createDirectories(consolePub.getParent());
    Ed25519Keys.writePair(consoleKey, consolePub.resolveSibling("console.key"), consolePub);
    v1 = compile("mlp/mlp.onnx", "1");
    v2 = ArtifactRefs.read(compile("mlp/mlp.onnx", "2"));
    v3Faulty = ArtifactRefs.read(compile("mlp/mlp_faulty.onnx", "3"));
    v4 = ArtifactRefs.read(compile("mlp/mlp.onnx", "4"));
    v5 = ArtifactRefs.read(compile("mlp/mlp.onnx", "5"));
    v6 = ArtifactRefs.read(compile("mlp/mlp.onnx", "6"));
    v7 = ArtifactRefs.read(compile("mlp/mlp.onnx", "7"));

    broker = Mosquitto.start(tmp.resolve("mosquitto"));
    slowLink = new TcpProxy(broker.port());
    cloud =
        CloudService.start(
            new CloudService.Options(
                broker.url(),
                tmp.resolve("cloud.duckdb"),
                null,
                0,
                null,
                false,
                "fleet-it-ingest",
                null,
                null));
    await().until(cloud.ingestor()::ready);
    observer =
        new MqttTransport(
            TransportConfig.builder(broker.url(), "fleet-it-observer")
                .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
                .build());
    observer.setMessageHandler(seen::add);
    observer.keepSubscribed(
        List.of(Topics.DEVICES + "/+/commands/#", Topics.DEVICES + "/+/replies"), 1);
    observer.start();
    await().until(observer::subscribed);
    console =
        new FleetConsole(
            ConsoleConfig.defaults(broker.url(), tmp.resolve("console"), consoleKey)
                .withTimeouts(Duration.ofMinutes(3), new RolloutEngine.Settings(30_000, 3))
                // Small chunks, so even this small model travels in many pieces.
                .withChunkSize(512)
                .withClientId("fleet-it-console"));
    console.start();

    configure("lab-1", null, "lab", broker.url(), List.of(v1));
    configure("lab-2", null, "lab", broker.url(), List.of(v1));
    configure("slow-1", null, "slow", slowLink.url(), List.of(v1));
    configure("pi-1", "rpi4", "pi", broker.url(), List.of());
    for (String id : setups.keySet()) {
      agents.put(id, DemoAgent.launch(setups.get(id)));
    }
    for (String id : List.of("lab-1", "lab-2", "slow-1")) {
      agents.get(id).awaitHealthy(WAIT);
    }
    awaitOnline("lab-1", "lab-2", "slow-1", "pi-1");
    traffic = new Traffic(List.of("lab-1", "lab-2"));
    traffic.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (traffic != null) {
      traffic.stop();
    }
    for (DemoAgent a : agents.values()) {
      a.close();
    }
    if (console != null) {
      console.close();
    }
    if (cloud != null) {
      cloud.close();
    }
    if (observer != null) {
      observer.close();
    }
    if (slowLink != null) {
      slowLink.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  @Order(1)
  void canaryOfAGoodVersion_promotes_andEveryDeviceServesIt() throws Exception {
    String id = console.deploy(v2, TargetSelector.group("lab"), "canary:50:3s", GATE);
    DeploymentView v = awaitState(id, DeploymentState.SUCCEEDED);
    assertThat(v.history())
        .extracting(s -> s.to())
        .contains(DeploymentState.BAKING, DeploymentState.PROMOTED);
    awaitReported("mlp", "2", "lab-1", "lab-2");
    for (String device : List.of("lab-1", "lab-2")) {
      assertThat(invoke(device).body()).contains("\"version\":\"2\"");
    }
    assertThat(traffic.failures()).as("a good version fails no request").isEmpty();
  }

  @Test
  @Order(2)
  void canaryOfAFailingVersion_rollsBackAutomatically_andTheFleetEndsOnTheOldVersion()
      throws Exception {
    String id = console.deploy(v3Faulty, TargetSelector.group("lab"), "canary:50:20s", GATE);
    DeploymentView v = awaitState(id, DeploymentState.ROLLED_BACK);
    assertThat(v.reason()).contains("error rate");
    assertThat(v.history()).extracting(s -> s.to()).doesNotContain(DeploymentState.PROMOTED);
    awaitReported("mlp", "2", "lab-1", "lab-2");
    await().atMost(WAIT).until(() -> invoke("lab-1").statusCode() == 200);
    assertThat(invoke("lab-1").body()).contains("\"version\":\"2\"");
    assertThat(invoke("lab-2").body()).contains("\"version\":\"2\"");
    assertThat(traffic.failures()).as("the faulty canary really failed requests").isNotEmpty();
    traffic.failures().clear();
  }

  @Test
  @Order(3)
  void wrongArchDevice_refuses_andTheConsoleShowsWhy() {
    String id = console.deploy(v2, TargetSelector.devices(List.of("pi-1")), "all-at-once", GATE);
    await().atMost(WAIT).until(() -> console.deployment(id).state().terminal());
    DeviceRollout row = console.deployment(id).device("pi-1");
    assertThat(row.status()).isEqualTo(DeviceRollout.Status.REFUSED);
    assertThat(row.message()).contains("x86_64").contains("arm64");
    assertThat(row.code()).isEqualTo("INCOMPATIBLE_ARTIFACT");
    assertThat(console.deployment(id).state())
        .as("its only target refused: nothing succeeded")
        .isEqualTo(DeploymentState.FAILED);
    assertThat(reported("pi-1").get("mlp")).isNull();
  }

  @Test
  @Order(4)
  void forgedAndReplayedCommands_areRejected() throws Exception {
    // Forged: well-formed and signed, but by a key the agent does not trust.
    DeployPayload payload =
        new DeployPayload(
            "forged",
            "mlp",
            "9",
            "primary",
            new DeployPayload.Artifact(v2.sha256(), v2.bytes(), null, 512),
            new DeployPayload.Target("x86_64", null, List.of()),
            List.of());
    Command forged =
        new CommandFactory(Ed25519Keys.generate(), 60_000)
            .create("forged-1", "deploy", "lab-1", payload, System.currentTimeMillis());
    publish(forged.deviceId(), forged.type(), ProtocolJson.write(forged));
    await().atMost(WAIT).until(() -> replyTo("forged-1") != null);
    assertThat(replyTo("forged-1").status()).isEqualTo(CommandReply.Status.REJECTED);
    assertThat(replyTo("forged-1").message()).contains("UNTRUSTED_KEY");

    // Replayed: the console's own, validly signed deploy of the faulty version, sent again.
    InboundMessage original =
        seen.stream()
            .filter(m -> m.topic().equals(Topics.command("lab-1", "deploy")))
            .filter(m -> read(m).payload().get("version").asText().equals("3"))
            .findFirst()
            .orElseThrow();
    String replayedId = read(original).id();
    long repliesBefore = repliesTo(replayedId);
    publish("lab-1", "deploy", original.payload());
    await()
        .atMost(WAIT)
        .until(() -> Files.readString(agents.get("lab-1").log()).contains("REPLAYED"));
    // The agent handles commands one at a time in arrival order and its replies leave on one
    // connection in order: once the reply to a command sent after the replay is here, a reply to
    // the replay would be here too.
    Command after =
        new CommandFactory(Ed25519Keys.generate(), 60_000)
            .create("forged-2", "deploy", "lab-1", payload, System.currentTimeMillis());
    publish(after.deviceId(), after.type(), ProtocolJson.write(after));
    await().atMost(WAIT).until(() -> replyTo("forged-2") != null);
    assertThat(repliesTo(replayedId)).as("a replay gets no answer").isEqualTo(repliesBefore);
    assertThat(reported("lab-1").get("mlp")).isEqualTo("2");
    assertThat(invoke("lab-1").body()).contains("\"version\":\"2\"");
  }

  @Test
  @Order(5)
  void offlineDevice_convergesAfterItReconnects() throws Exception {
    // Out of the traffic first, as a load balancer drains a node before stopping it: a draining
    // agent answers requests that still reach it 503 SHUTTING_DOWN, by design.
    traffic.pause("lab-2");
    agents.get("lab-2").close();
    await().atMost(WAIT).until(() -> !record("lab-2").online());
    String id = console.deploy(v4, TargetSelector.group("lab"), "all-at-once", GATE);
    // Was SUCCEEDED: until lab-2 returns, not every target runs version 4.
    DeploymentView v = awaitState(id, DeploymentState.PARTIALLY_SUCCEEDED);
    assertThat(v.device("lab-2").status()).isEqualTo(DeviceRollout.Status.PENDING);
    awaitReported("mlp", "4", "lab-1");

    agents.put("lab-2", DemoAgent.launch(setups.get("lab-2")));
    awaitReported("mlp", "4", "lab-2");
    await()
        .atMost(WAIT)
        .until(
            () -> console.deployment(id).device("lab-2").status() == DeviceRollout.Status.ACTIVE);
    assertThat(console.deployment(id).state()).isEqualTo(DeploymentState.SUCCEEDED);
    agents.get("lab-2").awaitHealthy(WAIT);
    traffic.resume("lab-2");
    assertThat(invoke("lab-2").body()).contains("\"version\":\"4\"");
  }

  @Test
  @Order(6)
  void transferCutMidway_resumes_andTheDeviceActivates() throws Exception {
    slowLink.throttle(3000);
    String id = console.deploy(v4, TargetSelector.devices(List.of("slow-1")), "all-at-once", GATE);
    await()
        .atMost(WAIT)
        .until(
            () ->
                replies("slow-1").stream()
                    .anyMatch(
                        r ->
                            r.status() == CommandReply.Status.IN_PROGRESS
                                && r.progress() != null
                                && r.progress() > 0
                                && r.progress() < 100));
    slowLink.cut();
    await().atMost(WAIT).until(() -> !record("slow-1").online());
    assertThat(console.deployment(id).device("slow-1").status())
        .isNotEqualTo(DeviceRollout.Status.ACTIVE);
    slowLink.throttle(0);
    slowLink.restore();
    DeploymentView v = awaitState(id, DeploymentState.SUCCEEDED);
    assertThat(v.device("slow-1").status()).isEqualTo(DeviceRollout.Status.ACTIVE);
    awaitReported("mlp", "4", "slow-1");
    assertThat(invoke("slow-1").body()).contains("\"version\":\"4\"");
    assertThat(traffic.failures()).as("no request failed since the rollback").isEmpty();
  }

  @Test
  @Order(7)
  void shadowDeployment_mirrorsTraffic_andCompareShowsAgreementPerRequest() throws Exception {
    String id = console.deploy(v5, TargetSelector.group("lab"), "shadow", GATE);
    awaitState(id, DeploymentState.SUCCEEDED);
    awaitReported("mlp#shadow", "5", "lab-1", "lab-2");
    assertThat(reported("lab-1").get("mlp")).as("the shadow serves no answers").isEqualTo("4");
    CaptureQueries queries = new CaptureQueries(cloud.store());
    await()
        .atMost(WAIT)
        .until(
            () ->
                ((Number)
                            queries
                                .query(
                                    "SELECT count(*) FROM captures WHERE shadow AND version = '5'")
                                .rows()
                                .get(0)
                                .get(0))
                        .longValue()
                    >= 40);
    traffic.stop();
    cloud.close();
    cloud = null;

    CliRun run =
        CliRun.of(
            "fleet",
            "compare",
            id,
            "--db",
            tmp.resolve("cloud.duckdb").toString(),
            "--state-dir",
            tmp.resolve("console").toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    System.out.println(run.out());
    assertThat(run.out())
        .contains("5 (new)")
        .contains("shadow")
        .contains("serving")
        .containsPattern("same class as the serving version on 100\\.0% of \\d+ requests");
    CliRun json =
        CliRun.of(
            "fleet",
            "compare",
            id,
            "--json",
            "--db",
            tmp.resolve("cloud.duckdb").toString(),
            "--state-dir",
            tmp.resolve("console").toString());
    var tree = Json.MAPPER.readTree(json.out());
    assertThat(tree.path("agreement").path("method").asText()).isEqualTo("same-requests");
    assertThat(tree.path("agreement").path("pairs").asLong()).isGreaterThanOrEqualTo(40);
    assertThat(tree.path("agreement").path("rate").asDouble()).isEqualTo(1.0);
  }

  @Test
  @Order(8)
  void blueGreen_stagesGreenBesideBlue_thenSwitchesEveryDevice() throws Exception {
    String id = console.deploy(v6, TargetSelector.group("lab"), "blue-green", GATE);
    // Another process follows it live from the console's state files.
    CliRun watch =
        CliRun.of(
            "fleet", "status", id, "--watch", "--state-dir", tmp.resolve("console").toString());
    assertThat(watch.exitCode()).as(watch.err()).isZero();
    assertThat(watch.out()).contains("phase 1 of 2: stage green").contains(id + " SUCCEEDED");
    DeploymentView v = awaitState(id, DeploymentState.SUCCEEDED);
    assertThat(v.history())
        .extracting(s -> s.transition().name())
        .containsExactly("START", "NEXT_PHASE", "COMPLETE");
    awaitReported("mlp", "6", "lab-1", "lab-2");
    assertThat(reported("lab-1")).doesNotContainKey("mlp#green");
    assertThat(invoke("lab-2").body()).contains("\"version\":\"6\"");
    // The switch moves the loaded, health-checked green into place: no second download.
    String switchCommand =
        seen.stream()
            .filter(m -> m.topic().equals(Topics.command("lab-1", "deploy")))
            .map(FleetAgentsIT::read)
            .filter(c -> c.payload().get("version").asText().equals("6"))
            .filter(c -> c.payload().get("variant").asText().equals("primary"))
            .map(Command::id)
            .reduce((a, b) -> b)
            .orElseThrow();
    assertThat(allReplies())
        .filteredOn(r -> switchCommand.equals(r.commandId()))
        .extracting(CommandReply::status)
        .contains(CommandReply.Status.SUCCEEDED)
        .doesNotContain(CommandReply.Status.IN_PROGRESS);
  }

  @Test
  @Order(9)
  void abWeights_splitTrafficBetweenOldAndNew() throws Exception {
    String id = console.deploy(v7, TargetSelector.group("lab"), "ab:50,50", GATE);
    awaitState(id, DeploymentState.SUCCEEDED);
    awaitReported("mlp#b", "7", "lab-1", "lab-2");
    assertThat(reported("lab-1").get("mlp")).isEqualTo("6");
    java.util.Set<String> served = new java.util.HashSet<>();
    for (int i = 0; i < 60 && served.size() < 2; i++) {
      String body = invoke("lab-1").body();
      served.add(
          body.contains("\"version\":\"7\"")
              ? "7"
              : body.contains("\"version\":\"6\"") ? "6" : body);
    }
    assertThat(served).containsExactlyInAnyOrder("6", "7");
    await()
        .atMost(WAIT)
        .until(
            () ->
                CliRun.of("fleet", "devices", "--state-dir", tmp.resolve("console").toString())
                    .out()
                    .contains("mlp#b@7 50%"));
    CliRun devices =
        CliRun.of("fleet", "devices", "--state-dir", tmp.resolve("console").toString());
    assertThat(devices.out())
        .contains("AGENT")
        .contains("0.1.0")
        .contains("mlp@6 50%,mlp#b@7 50%")
        .contains("P95 MS");
  }

  // ---------------------------------------------------------------------------------------------

  private static Path compile(String sample, String version) {
    Path out = tmp.resolve("artifacts").resolve(version + "-" + sample.replace('/', '-'));
    return Path.of(
        new Compiler(DeviceProfiles.fromClasspath(), ProgressListener.SILENT)
            .compile(
                CompileRequest.of(CliRun.sample(sample), null, out)
                    .withIdentity("mlp", version)
                    .withSignKey(artifactKey)
                    .withSkipBenchmark(true))
            .artifact());
  }

  private static void configure(
      String id, String profile, String group, String brokerUrl, List<Path> artifacts)
      throws Exception {
    setups.put(
        id,
        DemoAgent.configure(
            tmp.resolve("agents").resolve(id),
            new DemoAgent.Device(
                id,
                profile,
                List.of(group),
                artifacts,
                List.of(artifactKey.resolveSibling("kiln.pub"), consolePub),
                "mlp",
                brokerUrl,
                1)));
  }

  private static void awaitOnline(String... ids) {
    await()
        .atMost(WAIT)
        .until(
            () -> {
              for (String id : ids) {
                DeviceRecord r = record(id);
                // A heartbeat too: deployments take each target's version to roll back to from it.
                if (r == null || !r.online() || r.profile() == null || r.metricsAt() == 0) {
                  return false;
                }
              }
              return true;
            });
  }

  private static DeviceRecord record(String id) {
    return console.devices().stream().filter(r -> r.deviceId().equals(id)).findFirst().orElse(null);
  }

  private static Map<String, String> reported(String id) {
    DeviceRecord r = record(id);
    return r == null ? Map.of() : r.reported();
  }

  private static void awaitReported(String slot, String version, String... ids) {
    await()
        .atMost(WAIT)
        .until(
            () -> {
              for (String id : ids) {
                if (!version.equals(reported(id).get(slot))) {
                  return false;
                }
              }
              return true;
            });
  }

  private static DeploymentView awaitState(String id, DeploymentState state) {
    await().atMost(WAIT).until(() -> console.deployment(id).state().terminal());
    DeploymentView v = console.deployment(id);
    assertThat(v.state()).as(v.reason()).isEqualTo(state);
    return v;
  }

  private static void publish(String device, String type, byte[] body) {
    observer.publish(Topics.command(device, type), body, 1, false, MessageProps.none()).join();
  }

  private static Command read(InboundMessage m) {
    return ProtocolJson.read(m.payload(), Command.class);
  }

  private static List<CommandReply> replies(String device) {
    List<CommandReply> out = new ArrayList<>();
    for (InboundMessage m : seen) {
      if (m.topic().equals(Topics.replies(device))) {
        out.add(ProtocolJson.read(m.payload(), CommandReply.class));
      }
    }
    return out;
  }

  private static CommandReply replyTo(String commandId) {
    return allReplies().stream()
        .filter(r -> commandId.equals(r.commandId()))
        .reduce((a, b) -> b)
        .orElse(null);
  }

  private static long repliesTo(String commandId) {
    return allReplies().stream().filter(r -> commandId.equals(r.commandId())).count();
  }

  private static List<CommandReply> allReplies() {
    List<CommandReply> out = new ArrayList<>();
    for (InboundMessage m : seen) {
      if (Topic.parse(m.topic()).filter(t -> t.kind() == TopicKind.REPLIES).isPresent()) {
        out.add(ProtocolJson.read(m.payload(), CommandReply.class));
      }
    }
    return out;
  }

  private static HttpResponse<String> invoke(String device) throws Exception {
    return Traffic.HTTP.send(
        HttpRequest.newBuilder(URI.create(setups.get(device).baseUrl() + "/invocations"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(Traffic.body()))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Steady requests (a batch of 2 rows) to some agents, as production traffic would be: the health
   * gates judge what the agents report about serving it. A device the test is about to stop is
   * paused first, as a load balancer takes a node out before stopping it.
   */
  private static final class Traffic {
    static final HttpClient HTTP =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<String> devices;
    private final Set<String> paused = ConcurrentHashMap.newKeySet();
    // Held for each request, so that pause() returns only once no request to the device is open.
    private final Object sending = new Object();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final Thread thread;

    Traffic(List<String> devices) {
      this.devices = devices;
      this.thread = new Thread(this::loop, "fleet-it-traffic");
      thread.setDaemon(true);
    }

    static byte[] body() throws Exception {
      return DemoTraffic.body(
          Json.MAPPER.readTree(CliRun.sample("mlp/mlp.reference.json").toFile()));
    }

    void start() {
      thread.start();
    }

    private void loop() {
      while (running.get()) {
        for (String device : devices) {
          synchronized (sending) {
            if (paused.contains(device)) {
              continue;
            }
            try {
              HttpResponse<String> r = invoke(device);
              if (r.statusCode() != 200) {
                failures.add(device + " " + r.statusCode() + " " + r.body());
              }
            } catch (Exception e) {
              // A request that never reached an agent is not a served failure.
            }
          }
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    List<String> failures() {
      return failures;
    }

    /** Sends {@code device} nothing more; returns once no request to it is open. */
    void pause(String device) {
      synchronized (sending) {
        paused.add(device);
      }
    }

    void resume(String device) {
      paused.remove(device);
    }

    void stop() throws InterruptedException {
      running.set(false);
      thread.join(5000);
    }
  }
}
