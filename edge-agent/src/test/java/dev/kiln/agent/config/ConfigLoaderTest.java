package dev.kiln.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
  private static final Path BASE = Path.of("/etc/kiln");

  @Test
  void parse_appliesDocumentedDefaults_whenKeysAreAbsent() {
    AgentConfig c = ConfigLoader.parse("{}", BASE);
    assertThat(c.stateDir()).isEqualTo(Path.of("/var/lib/kiln"));
    assertThat(c.http().host()).isEqualTo("127.0.0.1");
    assertThat(c.http().port()).isEqualTo(8080);
    assertThat(c.http().maxBodyBytes()).isEqualTo(6L * 1024 * 1024);
    assertThat(c.security().requireSignature()).isTrue();
    assertThat(c.security().trustedKeysDir()).isEqualTo(Path.of("/var/lib/kiln/trusted-keys"));
    assertThat(c.profile()).startsWith("linux-");
    assertThat(c.models().defaultModel()).isNull();
    assertThat(c.batching().maxBatchSize()).as("batching is opt-in").isEqualTo(1);
    assertThat(c.threads().wideLoneRequests()).isTrue();
    assertThat(
            ConfigLoader.parse("{\"threads\": {\"wideLoneRequests\": false}}", BASE)
                .threads()
                .wideLoneRequests())
        .isFalse();
    assertThat(c.pipelines()).isEmpty();
  }

  @Test
  void parse_readsAcceptNonFinite_emptyByDefault_andRefusesBadNames() {
    assertThat(ConfigLoader.parse("{}", BASE).models().acceptNonFinite()).isEmpty();
    AgentConfig c =
        ConfigLoader.parse("{\"models\": {\"acceptNonFinite\": [\"mlp\", \"sensor.v2\"]}}", BASE);
    assertThat(c.models().acceptNonFinite()).containsExactlyInAnyOrder("mlp", "sensor.v2");
    assertThatThrownBy(
            () -> ConfigLoader.parse("{\"models\": {\"acceptNonFinite\": [\"../x\"]}}", BASE))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("models.acceptNonFinite")
        .hasMessageContaining("'../x' is not a model name");
    assertThatThrownBy(
            () -> ConfigLoader.parse("{\"models\": {\"acceptNonFinite\": \"mlp\"}}", BASE))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("array of strings");
  }

  @Test
  void parse_accessKeys_defaultToOwnTokenOpenHealthAndInference_andAnImportDirInTheStateDir() {
    AgentConfig c = ConfigLoader.parse("{\"stateDir\": \"/srv/kiln\"}", BASE);
    assertThat(c.http().auth().tokenFile()).as("the agent creates its own").isNull();
    assertThat(c.http().auth().openEndpoints())
        .containsExactly(
            "GET /ping",
            "GET /metrics",
            "POST /invocations",
            "POST /models/*/invocations",
            "POST /feedback",
            "GET /v2",
            "GET /v2/health/live",
            "GET /v2/health/ready",
            "GET /v2/models/*",
            "GET /v2/models/*/ready",
            "GET /v2/models/*/versions/*",
            "GET /v2/models/*/versions/*/ready",
            "POST /v2/models/*/infer",
            "POST /v2/models/*/versions/*/infer");
    assertThat(c.http().allowedOrigins()).isEmpty();
    assertThat(c.models().importDirs()).containsExactly(Path.of("/srv/kiln/import"));
  }

  @Test
  void parse_readsAccessKeys_andRefusesMalformedEndpointsAndOrigins() {
    AgentConfig c =
        ConfigLoader.parse(
            "{\"http\": {\"auth\": {\"tokenFile\": \"token\", \"openEndpoints\": [\"GET /ping\"]},"
                + " \"allowedOrigins\": [\"HTTPS://Dash.example.com:8443\"]},"
                + " \"models\": {\"importDirs\": [\"in\", \"/mnt/usb\"]}}",
            BASE);
    assertThat(c.http().auth().tokenFile()).isEqualTo(Path.of("/etc/kiln/token"));
    assertThat(c.http().auth().openEndpoints()).containsExactly("GET /ping");
    assertThat(c.http().allowedOrigins()).containsExactly("https://dash.example.com:8443");
    assertThat(c.models().importDirs())
        .containsExactly(Path.of("/etc/kiln/in"), Path.of("/mnt/usb"));
    assertThat(ConfigLoader.parse("{\"models\": {\"importDirs\": []}}", BASE).models().importDirs())
        .as("an empty list turns POST /models off")
        .isEmpty();

    assertThatThrownBy(
            () ->
                ConfigLoader.parse(
                    "{\"http\": {\"auth\": {\"openEndpoints\": [\"/ping\"]}}}", BASE))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http.auth.openEndpoints")
        .hasMessageContaining("'/ping' is not an endpoint");
    assertThatThrownBy(
            () ->
                ConfigLoader.parse(
                    "{\"http\": {\"allowedOrigins\": [\"https://x.example/app\"]}}", BASE))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http.allowedOrigins")
        .hasMessageContaining("not a web origin");
    assertThatThrownBy(() -> ConfigLoader.parse("{\"http\": {\"auth\": {\"token\": \"x\"}}}", BASE))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http.auth.token")
        .hasMessageContaining("openEndpoints, tokenFile");
  }

  @Test
  void parse_resolvesRelativePaths_againstConfigFolder() {
    AgentConfig c =
        ConfigLoader.parse(
            "{\"stateDir\": \"state\", \"security\": {\"trustedKeysDir\": \"keys\"}}", BASE);
    assertThat(c.stateDir()).isEqualTo(Path.of("/etc/kiln/state"));
    assertThat(c.security().trustedKeysDir()).isEqualTo(Path.of("/etc/kiln/keys"));
  }

  @Test
  void parse_fails_whenKeyIsUnknown_namingKeyAndAllowedKeys() {
    assertThatThrownBy(() -> ConfigLoader.parse("{\"http\": {\"prot\": 1}}", BASE))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http.prot")
        .hasMessageContaining(
            "allowed keys here: allowedOrigins, auth, drainSeconds, headerTimeoutSeconds, host,"
                + " idleTimeoutSeconds, maxBodyBytes, maxConnections, maxHeaderBytes, minRequestBytesPerSecond, port,"
                + " tls");
  }

  @Test
  void parse_httpLimits_haveDefaults_andTlsIsOff() {
    AgentConfig.Http http = ConfigLoader.parse("{}", BASE).http();
    assertThat(http.idleTimeoutSeconds()).isEqualTo(30);
    assertThat(http.headerTimeoutSeconds()).isEqualTo(10);
    assertThat(http.minRequestBytesPerSecond()).isEqualTo(1024);
    assertThat(http.maxHeaderBytes()).isEqualTo(8192);
    assertThat(http.maxConnections()).isEqualTo(256);
    assertThat(http.tls()).isNull();
  }

  @Test
  void parse_tls_resolvesPaths_andNeedsCertAndKey() {
    AgentConfig.Tls tls =
        ConfigLoader.parse(
                "{\"http\": {\"tls\": {\"certFile\": \"tls/agent.pem\", \"keyFile\":"
                    + " \"tls/agent.key\", \"clientCaFile\": \"tls/ca.pem\"}}}",
                BASE)
            .http()
            .tls();
    assertThat(tls.certFile()).isEqualTo(Path.of("/etc/kiln/tls/agent.pem"));
    assertThat(tls.keyFile()).isEqualTo(Path.of("/etc/kiln/tls/agent.key"));
    assertThat(tls.mutual()).isTrue();
    assertThatThrownBy(
            () -> ConfigLoader.parse("{\"http\": {\"tls\": {\"certFile\": \"a.pem\"}}}", BASE))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http.tls.keyFile");
  }

  @Test
  void parse_fleetKeys_defaultToTheArtifactKeys_andGroupsAreChecked() {
    AgentConfig c =
        ConfigLoader.parse(
            "{\"security\": {\"trustedKeysDir\": \"keys\"},"
                + " \"cloud\": {\"brokerUrl\": \"tcp://mqtt:1883\", \"groups\": [\"lab\", \"eu-1\"]}}",
            BASE);
    assertThat(c.cloud().commandKeysDir()).isEqualTo(Path.of("/etc/kiln/keys"));
    assertThat(c.cloud().groups()).containsExactly("lab", "eu-1");
    assertThatThrownBy(() -> ConfigLoader.parse("{\"cloud\": {\"groups\": [\"a/b\"]}}", BASE))
        .hasMessageContaining("cloud.groups")
        .hasMessageContaining("'a/b' is not valid");
  }

  @Test
  void parse_fails_whenPortOutOfRange_namingKeyAndRange() {
    assertThatThrownBy(() -> ConfigLoader.parse("{\"http\": {\"port\": 70000}}", BASE))
        .hasMessageContaining("'http.port'")
        .hasMessageContaining("from 0 to 65535");
  }

  @Test
  void parse_fails_whenTypeIsWrong() {
    assertThatThrownBy(
            () -> ConfigLoader.parse("{\"security\": {\"requireSignature\": \"yes\"}}", BASE))
        .hasMessageContaining("security.requireSignature")
        .hasMessageContaining("true or false");
    assertThatThrownBy(() -> ConfigLoader.parse("{\"deviceId\": 5}", BASE))
        .hasMessageContaining("deviceId");
  }

  @Test
  void parse_fails_whenJsonIsInvalid_withConfigErrorCode() {
    assertThatThrownBy(() -> ConfigLoader.parse("{", BASE))
        .isInstanceOfSatisfying(
            AgentException.class,
            e -> assertThat(e.code()).isEqualTo(AgentErrorCode.INVALID_CONFIG));
  }

  @Test
  void parse_validatesPipelines_stepCount() {
    AgentConfig ok =
        ConfigLoader.parse("{\"pipelines\": [{\"name\": \"p\", \"steps\": [\"a\", \"b\"]}]}", BASE);
    assertThat(ok.pipelines())
        .singleElement()
        .satisfies(p -> assertThat(p.steps()).containsExactly("a", "b"));
    assertThatThrownBy(
            () ->
                ConfigLoader.parse(
                    "{\"pipelines\": [{\"name\": \"p\", \"steps\": [\"a\"]}]}", BASE))
        .hasMessageContaining("pipelines.p.steps")
        .hasMessageContaining("2 to 5");
  }

  @Test
  void parse_perModelBatching_overridesDefaults_keyByKey() {
    AgentConfig c =
        ConfigLoader.parse(
            "{\"batching\": {\"maxBatchSize\": 4, \"models\": {\"cnn\": {\"maxQueueDelayMs\": 9}}}}",
            BASE);
    assertThat(c.batching().forModel("cnn").maxBatchSize()).isEqualTo(4);
    assertThat(c.batching().forModel("cnn").maxQueueDelayMs()).isEqualTo(9);
    assertThat(c.batching().forModel("mlp").maxQueueDelayMs()).isEqualTo(2);
    assertThatThrownBy(
            () ->
                ConfigLoader.parse(
                    "{\"batching\": {\"models\": {\"cnn\": {\"maxBatch\": 1}}}}", BASE))
        .hasMessageContaining("batching.models.cnn.maxBatch");
  }
}
