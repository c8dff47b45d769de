package dev.kiln.cli.demo;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.artifact.Json;
import dev.kiln.testkit.FreePorts;
import dev.kiln.testkit.JvmLauncher;
import dev.kiln.testkit.JvmProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real kiln-agent process, started from this JVM's classpath with a config pointing at the demo's
 * artifact, key and broker. Closing sends SIGTERM, which drains in-flight requests.
 */
public final class DemoAgent implements AutoCloseable {
  private final JvmProcess process;
  private final String baseUrl;
  private final Path log;

  private DemoAgent(JvmProcess process, String baseUrl, Path log) {
    this.process = process;
    this.baseUrl = baseUrl;
    this.log = log;
  }

  /** A configured agent that can be launched, killed and launched again on the same state. */
  public record Setup(Path configFile, String baseUrl, Path log) {}

  static DemoAgent start(Path dir, Path artifact, Path key, String model, String brokerUrl)
      throws IOException {
    return launch(configure(dir, artifact, key, model, brokerUrl));
  }

  static Setup configure(Path dir, Path artifact, Path key, String model, String brokerUrl)
      throws IOException {
    return configure(
        dir.resolve("agent"),
        new Device(
            "demo-device-1",
            null,
            List.of(),
            List.of(artifact),
            List.of(key.resolveSibling("kiln.pub")),
            model,
            brokerUrl,
            2));
  }

  /**
   * One device's settings.
   *
   * @param profile null for the host's own
   * @param artifacts installed at first start (the device's factory provisioning)
   * @param trustedKeys public keys trusted for artifacts and fleet commands alike
   */
  public record Device(
      String id,
      String profile,
      List<String> groups,
      List<Path> artifacts,
      List<Path> trustedKeys,
      String model,
      String brokerUrl,
      int heartbeatSeconds) {}

  public static Setup configure(Path agentDir, Device device) throws IOException {
    Files.createDirectories(agentDir);
    Path trusted = Files.createDirectories(agentDir.resolve("trusted-keys"));
    for (Path pub : device.trustedKeys()) {
      Files.copy(pub, trusted.resolve(pub.getFileName()), StandardCopyOption.REPLACE_EXISTING);
    }
    int port = FreePorts.next();
    ObjectNode config = Json.MAPPER.createObjectNode();
    config.put("deviceId", device.id());
    if (device.profile() != null) {
      config.put("profile", device.profile());
    }
    config.put("stateDir", agentDir.resolve("state").toAbsolutePath().toString());
    config.putObject("http").put("host", "127.0.0.1").put("port", port);
    config
        .putObject("security")
        .put("trustedKeysDir", trusted.toAbsolutePath().toString())
        .put("requireSignature", true);
    ObjectNode models = config.putObject("models").put("defaultModel", device.model());
    ArrayNode artifacts = models.putArray("artifacts");
    device.artifacts().forEach(a -> artifacts.add(a.toAbsolutePath().toString()));
    ObjectNode cloud =
        config
            .putObject("cloud")
            .put("brokerUrl", device.brokerUrl())
            .put("heartbeatSeconds", device.heartbeatSeconds());
    ArrayNode groups = cloud.putArray("groups");
    device.groups().forEach(groups::add);
    cloud.putObject("capture").put("samplePercent", 100).put("mode", "both");
    Path configFile = agentDir.resolve("agent.json");
    Files.write(configFile, Json.toBytes(config));
    return new Setup(configFile, "http://127.0.0.1:" + port, agentDir.resolve("agent.log"));
  }

  public static DemoAgent launch(Setup setup) throws IOException {
    Path agentDir = setup.configFile().getParent();
    Path configFile = setup.configFile();
    Path log = setup.log();
    JvmProcess process =
        JvmLauncher.kilnAgent(configFile).tmpDir(agentDir.resolve("tmp")).log(log).start();
    return new DemoAgent(process, setup.baseUrl(), log);
  }

  public void awaitHealthy(Duration timeout) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      process.checkAlive("kiln-agent");
      try {
        HttpResponse<Void> ping =
            http.send(
                HttpRequest.newBuilder(URI.create(baseUrl + "/ping")).GET().build(),
                HttpResponse.BodyHandlers.discarding());
        if (ping.statusCode() == 200) {
          return;
        }
      } catch (IOException notYetListening) {
        // Still starting.
      }
      TimeUnit.MILLISECONDS.sleep(250);
    }
    throw new IllegalStateException(
        "kiln-agent was not healthy within " + timeout + "; see " + log);
  }

  public String baseUrl() {
    return baseUrl;
  }

  Path log() {
    return log;
  }

  boolean alive() {
    return process.alive();
  }

  /** SIGKILL: no shutdown hook, no flush; what survives is what was already on disk. */
  void kill() throws InterruptedException {
    process.kill();
  }

  /** SIGTERM, which drains in-flight requests, and wait for the exit. */
  @Override
  public void close() throws InterruptedException {
    process.close();
  }
}
