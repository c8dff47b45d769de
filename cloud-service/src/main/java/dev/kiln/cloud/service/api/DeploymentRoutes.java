package dev.kiln.cloud.service.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.cloud.service.auth.Role;
import dev.kiln.cloud.service.deploy.Deployments;
import dev.kiln.cloud.service.inbox.InboxRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Deployments: list, queue, detail, cancel, rollback, and the inbox requests behind them. */
public final class DeploymentRoutes {
  private final Deployments deployments;

  public DeploymentRoutes(Deployments deployments) {
    this.deployments = deployments;
  }

  public List<Route> routes() {
    return List.of(
        Route.get("/deployments", Role.VIEWER, this::list),
        Route.post("/deployments", Role.OPERATOR, this::create),
        Route.get("/deployments/{id}", Role.VIEWER, this::detail),
        Route.get(
            "/deployments/{id}/events", Role.VIEWER, new DeploymentEvents(deployments)::stream),
        Route.post(
            "/deployments/{id}/cancel", Role.OPERATOR, c -> change(c, InboxRequest.Kind.CANCEL)),
        Route.post(
            "/deployments/{id}/rollback",
            Role.OPERATOR,
            c -> change(c, InboxRequest.Kind.ROLLBACK)),
        Route.get("/requests/{id}", Role.VIEWER, this::request));
  }

  private Route.Reply list(ApiCall call) {
    return Route.Reply.ok(
        deployments.list(call.query("cursor"), call.intQuery("limit", 50, 1, 500)));
  }

  private Route.Reply create(ApiCall call) throws Exception {
    JsonNode body = call.body();
    List<String> artifacts = new ArrayList<>();
    if (body.hasNonNull("artifact")) {
      artifacts.add(body.get("artifact").asText());
    }
    body.path("artifacts").forEach(a -> artifacts.add(a.asText()));
    if (artifacts.isEmpty()) {
      throw ApiException.badRequest(
          "no artifact",
          "pass \"artifact\": a .kiln path on the service's machine or an id from GET /artifacts");
    }
    if (!body.hasNonNull("target")) {
      throw ApiException.badRequest("no target", "pass \"target\": all, group:NAME or device ids");
    }
    JsonNode g = body.path("gates");
    InboxRequest.Gates gates =
        new InboxRequest.Gates(
            number(g, "maxErrorRate"),
            number(g, "maxP95Ratio"),
            number(g, "maxActivationFailureRate"),
            g.hasNonNull("minSamples") ? g.get("minSamples").asInt() : null);
    InboxRequest r =
        deployments.requestDeploy(
            artifacts,
            body.path("strategy").asText("all-at-once"),
            body.get("target").asText(),
            gates,
            call.caller().name());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("requestId", r.requestId());
    out.put("deploymentId", r.deploymentId());
    out.put("state", "QUEUED");
    return Route.Reply.accepted(out);
  }

  private static Double number(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isNumber()) {
      throw ApiException.badRequest("gates." + field + " must be a number", "e.g. 0.05");
    }
    return v.asDouble();
  }

  private Route.Reply detail(ApiCall call) {
    Map<String, Object> d =
        deployments.detail(
            call.path("id"),
            call.query("deviceCursor"),
            call.intQuery("deviceLimit", 500, 1, 5000));
    if (d == null) {
      throw ApiException.notFound(
          "no deployment " + call.path("id"), "list them with GET /deployments");
    }
    return Route.Reply.ok(d);
  }

  private Route.Reply change(ApiCall call, InboxRequest.Kind kind) {
    InboxRequest r = deployments.requestChange(kind, call.path("id"), call.caller().name());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("requestId", r.requestId());
    out.put("state", "QUEUED");
    return Route.Reply.accepted(out);
  }

  private Route.Reply request(ApiCall call) {
    InboxRequest r = deployments.request(call.path("id"));
    if (r == null) {
      throw ApiException.notFound(
          "no request " + call.path("id"), "use the requestId a POST answered");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("requestId", r.requestId());
    out.put("kind", r.kind().name().toLowerCase(Locale.ROOT));
    out.put("deploymentId", r.deploymentId());
    out.put("state", r.state().name());
    out.put("requestedBy", r.requestedBy());
    out.put("requestedAt", r.requestedAt());
    out.put("doneAt", r.doneAt());
    out.put("error", r.error());
    return Route.Reply.ok(out);
  }
}
