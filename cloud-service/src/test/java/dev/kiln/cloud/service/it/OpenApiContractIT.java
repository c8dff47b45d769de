package dev.kiln.cloud.service.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.cloud.service.api.OpenApiDocument;
import dev.kiln.cloud.service.api.Route;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API against its OpenAPI document: the routes the server registers are exactly the document's
 * operations, and replies of real calls (a running service, its embedded broker, three simulated
 * devices and a real deployment to them) carry every field of the documented schema with the
 * documented type.
 */
class OpenApiContractIT {
  static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir static Path tmp;
  static ServiceFixture service;
  static JsonNode document;
  static SchemaCheck schemas;

  @BeforeAll
  static void start() throws Exception {
    service = ServiceFixture.start(tmp);
    document = ApiClient.JSON.readTree(OpenApiDocument.bytes());
    schemas = new SchemaCheck(document);
    service.devices("contract", 3, "lab");
    await()
        .atMost(WAIT)
        .until(() -> service.admin.get("/fleet/summary").json().path("online").asInt() == 3);
  }

  @AfterAll
  static void stop() {
    if (service != null) {
      service.close();
    }
  }

  @Test
  void everyRegisteredRoute_isDocumented_andEveryDocumentedOperation_isServed() {
    TreeSet<String> served = new TreeSet<>();
    for (Route r : service.host.routes()) {
      served.add(r.method() + " " + r.template());
    }
    TreeSet<String> documented = new TreeSet<>();
    document
        .path("paths")
        .fields()
        .forEachRemaining(
            p ->
                p.getValue()
                    .fieldNames()
                    .forEachRemaining(
                        m -> documented.add(m.toUpperCase(Locale.ROOT) + " " + p.getKey())));
    assertThat(served).isEqualTo(documented);
  }

  @Test
  void documentedRoles_matchTheRolesTheServerChecks() {
    for (Route r : service.host.routes()) {
      String role =
          document
              .path("paths")
              .path(r.template())
              .path(r.method().toLowerCase(Locale.ROOT))
              .path("x-kiln-role")
              .asText();
      assertThat(role)
          .as(r.method() + " " + r.template())
          .isEqualTo(r.role() == null ? "none" : r.role().wireName());
    }
  }

  @Test
  void replies_ofRealCalls_matchTheirDocumentedSchemas() throws Exception {
    ApiClient api = service.admin;
    String artifact = service.artifact("2").toString();
    List<String> problems = new ArrayList<>();
    JsonNode registered =
        check(problems, "post", "/artifacts", api.post("/artifacts", Map.of("path", artifact)));
    check(problems, "get", "/whoami", api.get("/whoami"));
    check(problems, "get", "/fleet/summary", api.get("/fleet/summary"));
    check(problems, "get", "/devices", api.get("/devices?limit=2"));
    check(problems, "get", "/devices", api.get("/devices?status=online&group=lab"));
    check(problems, "get", "/artifacts", api.get("/artifacts"));
    JsonNode accepted =
        check(
            problems,
            "post",
            "/deployments",
            api.post(
                "/deployments",
                Map.of(
                    "artifact", registered.path("id").asText(),
                    "strategy", "all-at-once",
                    "target", "group:lab")));
    String id = accepted.path("deploymentId").asText();
    check(
        problems,
        "get",
        "/requests/{id}",
        api.get("/requests/" + accepted.path("requestId").asText()));
    List<JsonNode> events = events(id);
    assertThat(events).isNotEmpty();
    for (JsonNode e : events) {
      problems.addAll(schemas.problems(e, document.at("/components/schemas/DeploymentSummary")));
    }
    assertThat(events.get(events.size() - 1).path("state").asText()).isEqualTo("SUCCEEDED");
    JsonNode detail = check(problems, "get", "/deployments/{id}", api.get("/deployments/" + id));
    assertThat(detail.path("devices")).hasSize(3);
    check(problems, "get", "/deployments/{id}", api.get("/deployments/" + id + "?deviceLimit=2"));
    check(problems, "get", "/deployments", api.get("/deployments"));
    check(
        problems,
        "post",
        "/deployments/{id}/rollback",
        api.post("/deployments/" + id + "/rollback", Map.of()));
    check(problems, "get", "/models", api.get("/models"));
    check(problems, "get", "/models/{model}/series", api.get("/models/mlp/series?since=1h"));
    check(problems, "get", "/compare", api.get("/compare?model=mlp&a=1&b=2&since=1h"));
    check(problems, "get", "/captures", api.get("/captures?model=mlp&limit=5"));
    check(problems, "get", "/monitoring/violations", api.get("/monitoring/violations?model=mlp"));
    check(problems, "get", "/monitoring/quality", api.get("/monitoring/quality?model=mlp"));
    ApiClient.Reply metrics = api.get("/monitoring/metrics");
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.body())
        .contains("# TYPE kiln_monitor_violations_total counter")
        .contains("kiln_monitor_series_dropped 0");
    assertThat(api.as(null).get("/monitoring/metrics").status()).isEqualTo(401);
    check(problems, "get", "/audit", api.get("/audit?limit=20"));
    check(
        problems,
        "post",
        "/tokens",
        api.post("/tokens", Map.of("name", "ci-viewer", "role", "viewer")));
    // Refusals carry the documented error body too.
    check(problems, "get", "/devices", api.as(null).get("/devices"));
    check(problems, "get", "/deployments/{id}", api.get("/deployments/dep-nothing"));
    check(problems, "get", "/devices", api.get("/devices?limit=0"));
    ApiClient.Reply notAnArtifact =
        api.post(
            "/deployments",
            Map.of("artifact", tmp.resolve("none.kiln").toString(), "target", "all"));
    assertThat(notAnArtifact.status()).isEqualTo(422);
    check(problems, "post", "/deployments", notAnArtifact);
    ApiClient.Reply badStrategy =
        api.post(
            "/deployments", Map.of("artifact", artifact, "strategy", "sometimes", "target", "all"));
    assertThat(badStrategy.status()).isEqualTo(400);
    check(problems, "post", "/deployments", badStrategy);
    assertThat(problems).isEmpty();
  }

  /** Validates a reply against the document's schema for its operation and status. */
  static JsonNode check(
      List<String> problems, String method, String template, ApiClient.Reply reply) {
    JsonNode responses = document.path("paths").path(template).path(method).path("responses");
    JsonNode response = responses.path(Integer.toString(reply.status()));
    if (response.isMissingNode()) {
      problems.add(
          method + " " + template + ": undocumented status " + reply.status() + " " + reply.body());
      return reply.json();
    }
    JsonNode schema = response.path("content").path("application/json").path("schema");
    if (reply.json() == null) {
      problems.add(method + " " + template + ": not JSON: " + reply.body());
      return null;
    }
    for (String p : schemas.problems(reply.json(), schema)) {
      problems.add(method + " " + template + " " + reply.status() + ": " + p);
    }
    return reply.json();
  }

  /** Reads the deployment's event stream to its end. */
  static List<JsonNode> events(String id) throws Exception {
    HttpResponse<java.io.InputStream> r =
        service
            .admin
            .http()
            .send(
                service.admin.request("/deployments/" + id + "/events").GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
    List<JsonNode> out = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      String line;
      String event = null;
      while ((line = in.readLine()) != null) {
        if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("data: ")) {
          assertThat(event).isEqualTo("deployment");
          out.add(ApiClient.JSON.readTree(line.substring(6)));
        }
      }
    }
    return out;
  }

  static Iterator<String> names(JsonNode n) {
    return n.fieldNames();
  }
}
