package dev.kiln.agent.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.AgentVersion;
import dev.kiln.agent.http.oip.InferRequest;
import dev.kiln.agent.http.oip.InferResponse;
import dev.kiln.agent.http.oip.Metadata;
import dev.kiln.agent.serving.InferenceService;
import dev.kiln.agent.serving.ModelManager;
import dev.kiln.agent.store.InstalledModel;
import java.io.IOException;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Open Inference Protocol (KServe v2) REST endpoints under {@code /v2}. Inference takes the
 * same road as {@code /invocations}: the body limit, the request memory budget, the per-body
 * element limit, variant and shadow routing, metrics and capture; only the body format differs. A
 * path without {@code /versions/{v}} follows the model's variant weights (and {@code
 * X-Kiln-Variant}); a path with one is served by that Kiln version if it takes traffic.
 */
final class OpenInferenceHandler {
  static final String HEADER_LENGTH = "Inference-Header-Content-Length";
  private static final Pattern MODEL_PATH =
      Pattern.compile("/v2/models/([^/]+)(?:/versions/([^/]+))?(/ready|/infer)?/?");

  private final ModelManager models;
  private final InferenceService service;
  private final ManagementHandler management;
  private final long maxBodyBytes;
  private final Set<String> acceptNonFinite;

  OpenInferenceHandler(
      ModelManager models,
      InferenceService service,
      ManagementHandler management,
      long maxBodyBytes,
      Set<String> acceptNonFinite) {
    this.models = models;
    this.service = service;
    this.management = management;
    this.maxBodyBytes = maxBodyBytes;
    this.acceptNonFinite = Set.copyOf(acceptNonFinite);
  }

  static boolean owns(String path) {
    return path.equals("/v2") || path.startsWith("/v2/");
  }

  void route(Exchange ex) throws IOException {
    String path = ex.path();
    switch (path) {
      case "/v2", "/v2/" -> {
        requireGet(ex);
        ex.json(200, Metadata.server(AgentVersion.CURRENT));
        return;
      }
      case "/v2/health/live" -> {
        requireGet(ex);
        // The process answers HTTP, which is all liveness means.
        ex.json(200, JsonNodeFactory.instance.objectNode().put("live", true));
        return;
      }
      case "/v2/health/ready" -> {
        requireGet(ex);
        boolean ready = management.readiness() == null;
        ex.json(ready ? 200 : 400, JsonNodeFactory.instance.objectNode().put("ready", ready));
        return;
      }
      default -> {}
    }
    Matcher m = MODEL_PATH.matcher(path);
    if (!m.matches()) {
      throw new AgentException(
          AgentErrorCode.MODEL_NOT_FOUND, "no such endpoint: " + ex.method() + " " + path);
    }
    String name = m.group(1);
    String version = m.group(2);
    String action = m.group(3);
    if ("/infer".equals(action)) {
      if (!ex.method().equals("POST")) {
        throw new AgentException(
            AgentErrorCode.METHOD_NOT_ALLOWED, path + " accepts POST, not " + ex.method());
      }
      infer(ex, name, version);
      return;
    }
    requireGet(ex);
    if ("/ready".equals(action)) {
      ready(ex, name, version);
    } else {
      metadata(ex, name, version);
    }
  }

  private void infer(Exchange ex, String name, String version) throws IOException {
    byte[] body = ex.body(maxBodyBytes);
    InferenceService.Route route =
        version == null
            ? service.route(name, ex.header(InvocationHandler.VARIANT_HEADER))
            : service.routeToVersion(name, version);
    DecodeLimits limits =
        DecodeLimits.forBody(body.length, acceptNonFinite.contains(route.model()));
    InferRequest request =
        InferRequest.parse(body, ex.header(HEADER_LENGTH), route.signature(), limits);
    InferenceService.Result result = service.invoke(route, request.inputs(), ex.requestId());
    InferResponse response =
        InferResponse.render(
            result.model(),
            result.version(),
            request.id() != null ? request.id() : ex.requestId(),
            result.outputs(),
            request);
    ex.responseHeader(InvocationHandler.SERVED_VARIANT_HEADER, result.variant());
    if (response.hasBinary()) {
      ex.responseHeader(HEADER_LENGTH, Integer.toString(response.jsonLength()));
      ex.bytes(200, "application/octet-stream", response.body());
    } else {
      ex.json(200, response.body());
    }
  }

  private void ready(Exchange ex, String name, String version) throws IOException {
    InstalledModel state = models.requireModel(name);
    boolean ready =
        version == null ? !state.production().isEmpty() : state.activeVersions().contains(version);
    if (version != null && state.stateOf(version) == null) {
      throw noVersion(name, version, state);
    }
    ObjectNode n = JsonNodeFactory.instance.objectNode().put("name", name);
    if (version != null) {
      n.put("version", version);
    }
    ex.json(ready ? 200 : 400, n.put("ready", ready));
  }

  private void metadata(Exchange ex, String name, String version) throws IOException {
    InstalledModel state = models.requireModel(name);
    String shown = version;
    if (shown == null) {
      if (state.production().isEmpty()) {
        throw new AgentException(
            AgentErrorCode.MODEL_NOT_READY, "model '" + name + "' has no active version");
      }
      shown = state.production().get(0).version();
    } else if (!state.activeVersions().contains(shown)) {
      throw noVersion(name, shown, state);
    }
    ex.json(200, Metadata.model(name, state.activeVersions(), models.manifest(name, shown)));
  }

  private static AgentException noVersion(String name, String version, InstalledModel state) {
    return new AgentException(
        AgentErrorCode.VERSION_NOT_FOUND,
        "model '"
            + name
            + "' has no version '"
            + version
            + "' taking traffic; serving versions: "
            + state.activeVersions());
  }

  private static void requireGet(Exchange ex) {
    if (!ex.method().equals("GET")) {
      throw new AgentException(
          AgentErrorCode.METHOD_NOT_ALLOWED, ex.path() + " accepts GET, not " + ex.method());
    }
  }
}
