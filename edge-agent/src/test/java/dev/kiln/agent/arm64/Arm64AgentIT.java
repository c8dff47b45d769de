package dev.kiln.agent.arm64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.agent.TestArtifacts;
import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.artifact.Json;
import dev.kiln.testkit.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The arm64 proof: the packaged agent, with the aarch64 natives an arm64 bundle carries, runs on an
 * aarch64 JVM (under qemu-user) and serves an arm64 artifact of the sample CNN with the same
 * outputs x86_64 PyTorch produced. Slow by nature (an emulated JVM), so it is one test; run it
 * alone with {@code mvn -pl edge-agent verify -Dgroups=arm64}.
 */
@Tag("arm64")
class Arm64AgentIT {

  // The build points java.io.tmpdir at target/tmp, which @TempDir needs to exist.
  @BeforeAll
  static void createTmpdir() throws java.io.IOException {
    java.nio.file.Files.createDirectories(
        java.nio.file.Path.of(System.getProperty("java.io.tmpdir")));
  }

  private static final Duration EMULATED_START = Duration.ofMinutes(4);

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private Process agent;

  // Kept when the test fails: agent.log there is the first thing to read.
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path work;

  @AfterEach
  void stopAgent() throws InterruptedException {
    if (agent != null && agent.isAlive()) {
      agent.destroy();
      if (!agent.waitFor(60, TimeUnit.SECONDS)) {
        agent.destroyForcibly();
      }
    }
  }

  @Test
  void arm64Agent_servesArm64Cnn_withReferenceOutputs() throws Exception {
    Path repo = TestArtifacts.repoRoot();
    Arm64Host host = Arm64Host.require(repo);
    String classpath = Arm64Host.agentClasspath(repo.resolve("edge-agent/target"));
    KeyPair key = Ed25519Keys.generate();
    TestArtifacts.trust(key, work.resolve("keys"));
    Path artifact =
        TestArtifacts.build(
            TestArtifacts.spec().name("cnn").sample("cnn").target("linux-arm64", "arm64"),
            key,
            work.resolve("artifacts"));
    int port = FreePorts.next();
    Path config = writeConfig(work, artifact, port);

    agent = start(host, classpath, work, config);
    awaitHealthy(port, work.resolve("agent.log"));

    TestArtifacts.Reference cnn = TestArtifacts.reference("cnn");
    Map<String, Object> body =
        Map.of("inputs", Map.of("input", nest(cnn.input(), cnn.inputShape(), 0, 0)));
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/invocations"))
                .timeout(Duration.ofMinutes(2))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body)))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    List<Float> got = new ArrayList<>();
    flatten(Json.MAPPER.readTree(response.body()).at("/outputs/output"), got);
    float[] want = cnn.output();
    assertThat(got).hasSize(want.length);
    for (int i = 0; i < want.length; i++) {
      assertThat(got.get(i)).as("output[%d]", i).isCloseTo(want[i], within(1e-4f));
    }
  }

  /**
   * No "profile": the agent derives it from the JVM's architecture and refuses artifacts for other
   * targets, so serving this linux-arm64 artifact at all proves it saw itself as arm64.
   */
  private static Path writeConfig(Path work, Path artifact, int port) throws IOException {
    ObjectNode config = Json.MAPPER.createObjectNode();
    config.put("deviceId", "arm64-under-qemu");
    config.put("stateDir", work.resolve("state").toString());
    config.putObject("http").put("host", "127.0.0.1").put("port", port);
    config.putObject("security").put("trustedKeysDir", work.resolve("keys").toString());
    config.putObject("threads").put("http", 2).put("inference", 1).put("predictors", 1);
    config
        .putObject("models")
        .put("defaultModel", "cnn")
        .putArray("artifacts")
        .add(artifact.toString());
    Path file = work.resolve("agent.json");
    Files.write(file, Json.toBytes(config));
    return file;
  }

  private static Process start(Arm64Host host, String classpath, Path work, Path config)
      throws IOException {
    List<String> command = new ArrayList<>(host.java());
    command.addAll(
        List.of(
            // C1 only: under emulation the C2 compiler costs more than it ever pays back.
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-Xmx512m",
            "-Dai.djl.offline=true",
            "-Djava.io.tmpdir=" + Files.createDirectories(work.resolve("tmp")),
            "-cp",
            classpath,
            "dev.kiln.agent.cli.AgentMain",
            "run",
            "--config",
            config.toString()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("OPT_OUT_TRACKING", "true");
    // Keep DJL's extracted aarch64 natives out of the user's ~/.djl.ai.
    builder.environment().put("DJL_CACHE_DIR", work.resolve("djl").toString());
    builder.redirectOutput(work.resolve("agent.log").toFile());
    return builder.start();
  }

  private void awaitHealthy(int port, Path log) {
    URI ping = URI.create("http://127.0.0.1:" + port + "/ping");
    await("agent on aarch64 answers /ping with 200")
        .atMost(EMULATED_START)
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              if (!agent.isAlive()) {
                throw new AssertionError(
                    "agent exited with " + agent.exitValue() + ":\n" + Files.readString(log));
              }
              try {
                return client
                        .send(
                            HttpRequest.newBuilder(ping).timeout(Duration.ofSeconds(10)).build(),
                            HttpResponse.BodyHandlers.ofString())
                        .statusCode()
                    == 200;
              } catch (IOException e) {
                return false;
              }
            });
  }

  /** Builds the nested-list JSON form of a row-major tensor. */
  private static Object nest(float[] flat, List<Long> shape, int dim, int offset) {
    if (dim == shape.size()) {
      return flat[offset];
    }
    int stride = 1;
    for (int d = dim + 1; d < shape.size(); d++) {
      stride *= shape.get(d).intValue();
    }
    List<Object> items = new ArrayList<>();
    for (int i = 0; i < shape.get(dim); i++) {
      items.add(nest(flat, shape, dim + 1, offset + i * stride));
    }
    return items;
  }

  private static void flatten(JsonNode node, List<Float> out) {
    if (node.isArray()) {
      node.forEach(child -> flatten(child, out));
    } else {
      out.add(node.floatValue());
    }
  }
}
