package dev.kiln.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.artifact.Json;
import dev.kiln.cli.CliRun;
import dev.kiln.cloud.CloudService;
import dev.kiln.cloud.broker.BrokerTls;
import dev.kiln.compiler.pipeline.CompileRequest;
import dev.kiln.compiler.pipeline.Compiler;
import dev.kiln.compiler.pipeline.ProgressListener;
import dev.kiln.fleet.console.ArtifactRefs;
import dev.kiln.fleet.console.ConsoleConfig;
import dev.kiln.fleet.console.FleetConsole;
import dev.kiln.fleet.identity.FleetCa;
import dev.kiln.fleet.identity.Provisioner;
import dev.kiln.fleet.rollout.DeploymentState;
import dev.kiln.fleet.rollout.GateConfig;
import dev.kiln.fleet.rollout.TargetSelector;
import dev.kiln.fleet.state.DeviceRecord;
import dev.kiln.profile.DeviceProfiles;
import dev.kiln.testkit.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real kiln-agent process with the files {@code kiln fleet provision} issued, against {@code kiln
 * cloud run --tls}: it connects over mutual TLS, the ingestor records it, and the console (with its
 * own identity) rolls a version out to it through the per-device ACLs, artifact chunks included.
 */
class MutualTlsAgentIT {
  private static final Duration WAIT = Duration.ofSeconds(120);

  @TempDir Path tmp;

  @Test
  void provisionedAgent_connectsOverMutualTls_andTakesADeployment() throws Exception {
    Path artifactKey = DemoKeys.generate(tmp.resolve("keys"));
    KeyPair consoleKey = Ed25519Keys.generate();
    Path consolePub = tmp.resolve("console-keys").resolve("console.pub");
    Files.createDirectories(consolePub.getParent());
    Ed25519Keys.writePair(consoleKey, consolePub.resolveSibling("console.key"), consolePub);
    Path v1 = compile(artifactKey, "1");
    Path v2 = compile(artifactKey, "2");

    int port = FreePorts.next();
    String url = "ssl://localhost:" + port;
    Path stateDir = tmp.resolve("console");
    Path ids = tmp.resolve("ids");
    Provisioner p =
        new Provisioner(FleetCa.openOrCreate(Provisioner.caDir(stateDir)), Duration.ofDays(1));
    Path deviceDir = p.device("tls-1", ids.resolve("tls-1"), url);
    Path consoleDir = p.console(stateDir);
    Path brokerDir = p.broker(List.of("localhost"), ids.resolve("broker"));

    DemoAgent.Setup setup =
        DemoAgent.configure(
            tmp.resolve("agents").resolve("tls-1"),
            new DemoAgent.Device(
                "tls-1",
                null,
                List.of("lab"),
                List.of(v1),
                List.of(artifactKey.resolveSibling("kiln.pub"), consolePub),
                "mlp",
                url,
                1));
    useProvisionedFiles(setup.configFile(), deviceDir);

    try (CloudService cloud =
            CloudService.start(
                new CloudService.Options(
                    null,
                    tmp.resolve("cloud.duckdb"),
                    "127.0.0.1",
                    port,
                    tmp.resolve("broker-data"),
                    false,
                    "tls-it-ingest",
                    null,
                    null,
                    BrokerTls.fromDir(brokerDir)));
        FleetConsole console =
            new FleetConsole(
                ConsoleConfig.defaults(url, stateDir, consoleKey)
                    .withChunkSize(512)
                    .withTls(
                        new ConsoleConfig.Tls(
                            consoleDir.resolve(FleetCa.CERT_FILE),
                            consoleDir.resolve(Provisioner.CONSOLE_CERT),
                            consoleDir.resolve(Provisioner.CONSOLE_KEY))));
        DemoAgent agent = DemoAgent.launch(setup)) {
      console.start();
      agent.awaitHealthy(WAIT);
      await()
          .atMost(WAIT)
          .until(
              () -> {
                DeviceRecord r = record(console, "tls-1");
                return r != null && r.online() && r.profile() != null && r.metricsAt() > 0;
              });
      await().atMost(WAIT).until(() -> onlineInCloud(cloud, "tls-1"));

      String id =
          console.deploy(
              ArtifactRefs.read(v2),
              TargetSelector.devices(List.of("tls-1")),
              "all-at-once",
              GateConfig.defaults());
      await().atMost(WAIT).until(() -> console.deployment(id).state().terminal());
      assertThat(console.deployment(id).state()).isEqualTo(DeploymentState.SUCCEEDED);
      await().atMost(WAIT).until(() -> "2".equals(record(console, "tls-1").reported().get("mlp")));
    }
  }

  /** Points the agent's cloud section at the provisioned folder, as agent-cloud.json does. */
  private static void useProvisionedFiles(Path configFile, Path deviceDir) throws Exception {
    ObjectNode config = (ObjectNode) Json.MAPPER.readTree(configFile.toFile());
    ObjectNode cloud = (ObjectNode) config.get("cloud");
    ObjectNode issued =
        (ObjectNode)
            Json.MAPPER.readTree(deviceDir.resolve(Provisioner.AGENT_CONFIG).toFile()).get("cloud");
    cloud.put("brokerUrl", issued.get("brokerUrl").asText());
    for (String key : List.of("caFile", "certFile", "keyFile")) {
      cloud.put(key, deviceDir.resolve(issued.get(key).asText()).toAbsolutePath().toString());
    }
    Files.write(configFile, Json.toBytes(config));
  }

  private static DeviceRecord record(FleetConsole console, String id) {
    return console.devices().stream().filter(r -> r.deviceId().equals(id)).findFirst().orElse(null);
  }

  private static boolean onlineInCloud(CloudService cloud, String device) {
    return cloud
        .store()
        .read(
            c -> {
              try (Statement st = c.createStatement();
                  ResultSet rs =
                      st.executeQuery(
                          "SELECT count(*) FROM devices WHERE state = 'ONLINE' AND device_id = '"
                              + device
                              + "'")) {
                return rs.next() && rs.getLong(1) == 1;
              }
            });
  }

  private Path compile(Path artifactKey, String version) {
    Path out = tmp.resolve("artifacts").resolve(version);
    return Path.of(
        new Compiler(DeviceProfiles.fromClasspath(), ProgressListener.SILENT)
            .compile(
                CompileRequest.of(CliRun.sample("mlp/mlp.onnx"), null, out)
                    .withIdentity("mlp", version)
                    .withSignKey(artifactKey)
                    .withSkipBenchmark(true))
            .artifact());
  }
}
