package dev.kiln.cloud.service.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Token roles on a running service: viewers read and are refused deploys (403), operators deploy,
 * only admins create tokens; calls without a valid token get 401; every POST, refused or not, is in
 * the audit log with who made it.
 */
class RolesIT {
  @TempDir static Path tmp;
  static ServiceFixture service;
  static ApiClient viewer;
  static ApiClient operator;

  @BeforeAll
  static void start() throws Exception {
    service = ServiceFixture.start(tmp);
    viewer = service.admin.as(token("alice", "viewer"));
    operator = service.admin.as(token("olga", "operator"));
  }

  private static String token(String name, String role) throws Exception {
    ApiClient.Reply r = service.admin.post("/tokens", Map.of("name", name, "role", role));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json().path("token").asText();
  }

  @AfterAll
  static void stop() {
    if (service != null) {
      service.close();
    }
  }

  private Map<String, Object> deploy() throws Exception {
    return Map.of("artifact", service.artifact("7").toString(), "target", "all");
  }

  @Test
  void viewer_reads_butGets403OnDeploy_andOnTokens() throws Exception {
    assertThat(viewer.get("/whoami").json().path("role").asText()).isEqualTo("viewer");
    assertThat(viewer.get("/devices").status()).isEqualTo(200);
    ApiClient.Reply refused = viewer.post("/deployments", deploy());
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.json().path("error").asText()).contains("viewer").contains("operator");
    assertThat(refused.json().path("fix").asText()).isNotBlank();
    assertThat(viewer.post("/deployments/dep-x/cancel", Map.of()).status()).isEqualTo(403);
    assertThat(viewer.post("/tokens", Map.of("name", "x", "role", "admin")).status())
        .isEqualTo(403);
  }

  @Test
  void aRefusedPost_withItsBodyUnread_closesTheConnection_soNoClientReusesIt() throws Exception {
    URI api = URI.create(service.admin.base());
    String body = "{\"name\": \"x\", \"role\": \"admin\"}";
    try (Socket s = new Socket(api.getHost(), api.getPort())) {
      s.setSoTimeout(10_000);
      // Headers first; the role is refused from them, before the body is read.
      s.getOutputStream()
          .write(
              ("POST "
                      + api.getPath()
                      + "/tokens HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                      + viewer.token()
                      + "\r\nContent-Type: application/json\r\nContent-Length: "
                      + body.length()
                      + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      String head =
          new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII)
              + new BufferedReader(
                      new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
                  .lines()
                  .takeWhile(l -> !l.isEmpty())
                  .reduce("", (a, b) -> a + b.toLowerCase(java.util.Locale.ROOT) + "\n");
      assertThat(head).startsWith("HTTP/1.1 403").contains("connection: close");
    }
    // And the JDK client, which pools connections, gets every refusal in a row.
    for (int i = 0; i < 5; i++) {
      assertThat(viewer.post("/tokens", Map.of("name", "x" + i, "role", "admin")).status())
          .isEqualTo(403);
    }
  }

  @Test
  void operator_deploys_butCannotCreateTokens() throws Exception {
    ApiClient.Reply accepted = operator.post("/deployments", deploy());
    assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
    assertThat(accepted.json().path("state").asText()).isEqualTo("QUEUED");
    assertThat(accepted.json().path("deploymentId").asText()).startsWith("dep-");
    assertThat(operator.post("/tokens", Map.of("name", "y", "role", "viewer")).status())
        .isEqualTo(403);
  }

  @Test
  void noToken_orAnUnknownOne_gets401_withAFix() throws Exception {
    ApiClient.Reply none = service.admin.as(null).get("/fleet/summary");
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.json().path("fix").asText()).contains("admin.token");
    assertThat(service.admin.as("kiln_not-a-token").get("/fleet/summary").status()).isEqualTo(401);
    assertThat(service.admin.as(null).get("/openapi.json").status()).isEqualTo(200);
  }

  @Test
  void everyPost_refusedOrNot_isAudited_withWhoAndRole() throws Exception {
    viewer.post("/deployments", deploy());
    operator.post("/deployments", deploy());
    List<String> seen = new ArrayList<>();
    for (JsonNode r : service.admin.get("/audit?limit=1000").json().path("items")) {
      if ("api".equals(r.path("kind").asText())) {
        seen.add(
            r.path("who").asText()
                + "/"
                + r.path("role").asText()
                + " "
                + r.path("action").asText()
                + " "
                + r.path("outcome").asText());
      }
    }
    assertThat(seen)
        .contains(
            "alice/viewer POST /deployments 403",
            "olga/operator POST /deployments 202",
            "admin/admin POST /tokens 201");
  }
}
