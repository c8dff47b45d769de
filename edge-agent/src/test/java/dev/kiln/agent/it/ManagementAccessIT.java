package dev.kiln.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.agent.AgentProcess;
import dev.kiln.agent.TestArtifacts;
import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.artifact.Json;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Attacks a running agent's management API as a stranger on the network and as a web page in a
 * browser on the device would: no token, a wrong token, a foreign {@code Origin}, a {@code
 * text/plain} body, and artifact paths that are folders, outside the import folder, or missing.
 * Each is refused before anything changes or is copied.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ManagementAccessIT {
  private static final String EVIL = "https://evil.example";

  private static AgentProcess agent;
  private static Path work;
  private static KeyPair key;
  private static Path v2;
  private static TestArtifacts.Reference mlp;

  @BeforeAll
  static void start() throws Exception {
    work = AgentProcess.tmp("access");
    key = Ed25519Keys.generate();
    mlp = TestArtifacts.reference("mlp");
    agent = new AgentProcess(work, c -> c.putObject("models").put("defaultModel", "mlp"));
    TestArtifacts.trust(key, agent.keysDir());
    agent.start();
    Path v1 = TestArtifacts.build(TestArtifacts.spec(), key, work.resolve("artifacts"));
    HttpResponse<String> installed = agent.install(v1, "replace", 1);
    assertThat(installed.statusCode()).as(installed.body()).isEqualTo(201);
    v2 =
        agent.toImportDir(
            TestArtifacts.build(TestArtifacts.spec().version("2"), key, work.resolve("artifacts")));
  }

  @AfterAll
  static void stop() throws Exception {
    if (agent != null) {
      agent.close();
    }
  }

  /** The state-changing management calls, each with a body that would succeed with the token. */
  private static List<Call> stateChangingCalls() {
    return List.of(
        new Call("POST", "/models", Map.of("artifact", v2.toString(), "placement", "replace")),
        new Call(
            "PUT",
            "/models/mlp/variants",
            Map.of("variants", List.of(Map.of("version", "1", "weight", 1.0)), "shadow", "1")),
        new Call("DELETE", "/models/mlp", null),
        new Call("PUT", "/pipelines/sneaky", Map.of("steps", List.of("mlp", "mlp"))));
  }

  private record Call(String method, String path, Object body) {
    byte[] bytes() throws IOException {
      return body == null ? null : Json.MAPPER.writeValueAsBytes(body);
    }
  }

  @Test
  @Order(1)
  void theAgentCreatedItsOwnToken_private() throws Exception {
    Path token = agent.tokenFile();
    assertThat(token).isEqualTo(agent.stateDir().resolve("auth/token"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(token)))
        .isEqualTo("rw-------");
    assertThat(agent.log()).contains(token.toString()).doesNotContain(agent.token());
  }

  @Test
  @Order(1)
  void withoutTheToken_everyStateChangingCallIs401_andNothingChanges() throws Exception {
    String before = agent.get("/models").body();
    for (String authorization :
        new String[] {null, "Bearer wrong-" + agent.token(), "Bearer ", "Basic YWRtaW46YWRtaW4="}) {
      for (Call call : stateChangingCalls()) {
        HttpResponse<String> r =
            agent.sendAs(
                authorization,
                call.method(),
                call.path(),
                call.bytes(),
                "application/json",
                Map.of());
        String what = call.method() + " " + call.path() + " with " + authorization;
        assertThat(r.statusCode()).as(what + ": " + r.body()).isEqualTo(401);
        assertThat(AgentProcess.json(r).get("code").asText()).isEqualTo("UNAUTHORIZED");
        assertThat(r.headers().firstValue("WWW-Authenticate"))
            .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
      }
      assertThat(agent.sendAs(authorization, "GET", "/models", null, null, Map.of()).statusCode())
          .as("the model inventory needs the token too")
          .isEqualTo(401);
    }
    assertThat(agent.get("/models").body()).as("models and pipelines").isEqualTo(before);
    assertThat(agent.stateDir().resolve("pipelines/sneaky.json")).doesNotExist();
    assertThat(AgentProcess.json(agent.get("/models/mlp")).at("/versions/2").isMissingNode())
        .isTrue();
  }

  @Test
  @Order(1)
  void health_metricsAndInference_stayOpenWithoutAToken() throws Exception {
    assertThat(agent.sendAs(null, "GET", "/ping", null, null, Map.of()).statusCode())
        .isEqualTo(200);
    assertThat(agent.sendAs(null, "GET", "/metrics", null, null, Map.of()).statusCode())
        .isEqualTo(200);
    byte[] body = instances();
    for (String path : List.of("/invocations", "/models/mlp/invocations")) {
      HttpResponse<String> r = agent.sendAs(null, "POST", path, body, "application/json", Map.of());
      assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
    }
  }

  @Test
  @Order(1)
  void aWebPage_cannotInstall_evenWithTheToken_norRunModels() throws Exception {
    String before = agent.get("/models").body();
    // What a page's fetch(..., {mode: "no-cors"}) sends: text/plain needs no CORS preflight.
    byte[] install =
        Json.MAPPER.writeValueAsBytes(Map.of("artifact", v2.toString(), "placement", "replace"));
    for (String authorization : new String[] {null, "Bearer " + agent.token()}) {
      HttpResponse<String> r =
          agent.sendAs(
              authorization,
              "POST",
              "/models",
              install,
              "text/plain",
              Map.of("Origin", EVIL, "Sec-Fetch-Site", "cross-site"));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
      assertThat(AgentProcess.json(r).get("code").asText()).isEqualTo("FORBIDDEN");
      assertThat(AgentProcess.json(r).get("message").asText()).contains("http.allowedOrigins");
    }
    for (Call call : stateChangingCalls()) {
      HttpResponse<String> r =
          agent.send(
              call.method(), call.path(), call.bytes(), "application/json", Map.of("Origin", EVIL));
      assertThat(r.statusCode()).as(call.method() + " " + call.path()).isEqualTo(403);
    }
    assertThat(agent.get("/models").body()).isEqualTo(before);

    byte[] body = instances();
    for (Map<String, String> browser :
        List.of(
            Map.of("Origin", EVIL),
            Map.of("Origin", "null"),
            Map.of("Sec-Fetch-Site", "cross-site"))) {
      HttpResponse<String> r =
          agent.sendAs(null, "POST", "/invocations", body, "text/plain", browser);
      assertThat(r.statusCode()).as(browser + ": " + r.body()).isEqualTo(403);
      assertThat(
              agent
                  .sendAs(null, "POST", "/models/mlp/invocations", body, "text/plain", browser)
                  .statusCode())
          .isEqualTo(403);
    }
  }

  @Test
  @Order(1)
  void managementBodies_mustBeJson() throws Exception {
    for (Call call : stateChangingCalls()) {
      if (call.body() == null) {
        continue;
      }
      for (String type : new String[] {"text/plain", "application/x-www-form-urlencoded", null}) {
        HttpResponse<String> r =
            agent.send(call.method(), call.path(), call.bytes(), type, Map.of());
        assertThat(r.statusCode()).as(call.path() + " as " + type).isEqualTo(415);
        assertThat(AgentProcess.json(r).get("code").asText()).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
        assertThat(AgentProcess.json(r).get("message").asText()).contains("application/json");
      }
    }
    assertThat(AgentProcess.json(agent.get("/models/mlp")).at("/versions/2").isMissingNode())
        .isTrue();
  }

  @Test
  @Order(1)
  void folders_areRefusedAtOnce_withNothingCopiedToIncoming() throws Exception {
    Path incoming = agent.stateDir().resolve("artifacts/.incoming");
    assertThat(listing(incoming)).isEmpty();
    Path kilnNamedFolder = Files.createDirectories(agent.importDir().resolve("folder.kiln"));
    Files.copy(v2, kilnNamedFolder.resolve(v2.getFileName()));
    for (Path folder :
        List.of(
            work,
            agent.stateDir(),
            agent.stateDir().getParent(),
            Path.of("/root"),
            Path.of("/"),
            agent.importDir(),
            kilnNamedFolder,
            agent.stateDir().resolve("artifacts/mlp/1"))) {
      HttpResponse<String> r = installRequest(folder.toString());
      assertThat(r.statusCode()).as(folder + ": " + r.body()).isEqualTo(422);
      assertThat(listing(incoming)).as(folder.toString()).isEmpty();
    }
  }

  @Test
  @Order(1)
  void aPathOutsideTheImportFolder_andAMissingOne_getTheSameAnswer() throws Exception {
    Path outside = work.resolve("artifacts").resolve(v2.getFileName());
    assertThat(outside).as("a valid, signed artifact, just not in the import folder").exists();
    List<String> messages = new ArrayList<>();
    for (String path :
        List.of(
            outside.toString(),
            work.resolve("artifacts/missing.kiln").toString(),
            agent.importDir().resolve("missing.kiln").toString(),
            agent.importDir() + "/../../artifacts/" + v2.getFileName(),
            "/etc/passwd",
            "/etc/no-such-file")) {
      HttpResponse<String> r = installRequest(path);
      assertThat(r.statusCode()).as(path).isEqualTo(422);
      assertThat(AgentProcess.json(r).get("code").asText()).isEqualTo("ARTIFACT_REJECTED");
      messages.add(AgentProcess.json(r).get("message").asText());
    }
    assertThat(messages).allMatch(messages.get(0)::equals);
    assertThat(messages.get(0)).contains("models.importDirs");
    assertThat(AgentProcess.json(agent.get("/models/mlp")).at("/versions/2").isMissingNode())
        .isTrue();
  }

  @Test
  @Order(1)
  void aTokenFileOthersCanRead_stopsTheAgentAtStart_withExit2AndTheFix() throws Exception {
    Path dir = AgentProcess.tmp("access-open-token");
    Path token = Files.writeString(dir.resolve("token"), "shared-with-everyone\n");
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
    AgentProcess open =
        new AgentProcess(
            dir,
            c -> ((ObjectNode) c.get("http")).putObject("auth").put("tokenFile", token.toString()));
    assertThatThrownBy(open::start)
        .hasMessageContaining("agent exited with 2")
        .hasMessageContaining("http.auth.tokenFile")
        .hasMessageContaining("chmod 600 " + token);
  }

  @Test
  @Order(2)
  void aKilnFileInTheImportFolder_withTheToken_installs() throws Exception {
    HttpResponse<String> r = installRequest(v2.toString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonNode model = AgentProcess.json(r);
    assertThat(model.at("/production/0/version").asText()).isEqualTo("2");
  }

  private static HttpResponse<String> installRequest(String artifact) throws IOException {
    return agent.postJson("/models", Map.of("artifact", artifact, "placement", "replace"));
  }

  private static List<Path> listing(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }

  private static byte[] instances() throws IOException {
    List<List<Float>> rows = new ArrayList<>();
    float[] flat = mlp.input();
    for (int r = 0; r < flat.length / 8; r++) {
      List<Float> row = new ArrayList<>();
      for (int c = 0; c < 8; c++) {
        row.add(flat[r * 8 + c]);
      }
      rows.add(row);
    }
    return Json.MAPPER
        .writeValueAsString(Map.of("instances", rows))
        .getBytes(StandardCharsets.UTF_8);
  }
}
