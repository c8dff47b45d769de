package dev.kiln.agent.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.config.AgentConfig;
import dev.kiln.agent.config.PipelineValidator;
import dev.kiln.agent.http.access.ImportDirs;
import dev.kiln.agent.serving.InferenceService;
import dev.kiln.agent.serving.Metrics;
import dev.kiln.agent.serving.ModelManager;
import dev.kiln.agent.serving.ModelRegistry;
import dev.kiln.agent.store.InstalledModel;
import dev.kiln.agent.store.PipelineStore;
import dev.kiln.artifact.Manifest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Health, model management, pipelines and metrics endpoints. */
final class ManagementHandler {
  private static final long MAX_CONTROL_BODY = 64 * 1024;

  private final ModelManager models;
  private final InferenceService service;
  private final PipelineStore pipelineStore;
  private final Metrics metrics;
  private final String defaultModel;
  private final ImportDirs importDirs;

  ManagementHandler(
      ModelManager models,
      InferenceService service,
      PipelineStore pipelineStore,
      Metrics metrics,
      String defaultModel,
      ImportDirs importDirs) {
    this.models = models;
    this.service = service;
    this.pipelineStore = pipelineStore;
    this.metrics = metrics;
    this.defaultModel = defaultModel;
    this.importDirs = importDirs;
  }

  /** The model {@code /invocations} and {@code /ping} use: configured, or the only one there is. */
  String defaultModel() {
    if (defaultModel != null) {
      return defaultModel;
    }
    List<InstalledModel> all = models.all();
    if (all.size() == 1) {
      return all.get(0).name();
    }
    throw new AgentException(
        AgentErrorCode.MODEL_NOT_FOUND,
        "no default model: set models.defaultModel or call POST /models/{name}/invocations");
  }

  void ping(Exchange ex) throws IOException {
    String problem = readiness();
    if (problem != null) {
      ex.json(503, status("unhealthy", problem));
      return;
    }
    ex.json(200, status("healthy", defaultModel()));
  }

  /**
   * Why the agent cannot serve its default model yet, or null when it can: every production variant
   * is loaded (or reloaded after LRU eviction) and passed its health check on activation.
   */
  String readiness() {
    try {
      String name = defaultModel();
      InstalledModel s = models.requireModel(name);
      if (s.production().isEmpty()) {
        throw new AgentException(AgentErrorCode.MODEL_NOT_READY, name + " has no active version");
      }
      for (InstalledModel.Variant v : s.production()) {
        if (models.autoscaler().scaledToZero(name, v.version())) {
          continue; // loads on the next request; loading it here would keep it from zero
        }
        try (ModelRegistry.Lease ignored = models.lease(name, v.version())) {
          // Loading is the check.
        }
      }
      return null;
    } catch (AgentException e) {
      return e.getMessage();
    }
  }

  private static ObjectNode status(String status, String detail) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("status", status);
    n.put("detail", detail);
    return n;
  }

  void list(Exchange ex) throws IOException {
    ArrayNode arr = JsonNodeFactory.instance.arrayNode();
    for (InstalledModel s : models.all()) {
      arr.add(describe(s));
    }
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.set("models", arr);
    root.set("pipelines", RequestDecoder.mapper().valueToTree(service.pipelines().values()));
    root.put("memoryUsedBytes", models.registry().usedBytes());
    root.put("memoryBudgetBytes", models.registry().budgetBytes());
    ex.json(200, root);
  }

  void get(Exchange ex, String name) throws IOException {
    ex.json(200, describe(models.requireModel(name)));
  }

  private ObjectNode describe(InstalledModel s) {
    ObjectNode n = RequestDecoder.mapper().valueToTree(s);
    ObjectNode versions = (ObjectNode) n.get("versions");
    if (versions != null) {
      versions
          .fields()
          .forEachRemaining(
              e ->
                  ((ObjectNode) e.getValue())
                      .put(
                          "loaded",
                          models.registry().isLoaded(ModelRegistry.key(s.name(), e.getKey()))));
    }
    models
        .autoscaler()
        .describe(s.name())
        .ifPresent(a -> n.set("autoscaling", RequestDecoder.mapper().valueToTree(a)));
    if (!s.production().isEmpty()) {
      try {
        Manifest m = models.manifest(s.name(), s.production().get(0).version());
        n.set("signature", RequestDecoder.mapper().valueToTree(m.signature()));
      } catch (AgentException ignored) {
        // The artifact went missing at rest; the state still says what was deployed.
      }
    }
    Object routing = service.routing().describe(s.name());
    if (routing != null) {
      n.set("routing", RequestDecoder.mapper().valueToTree(routing));
    }
    return n;
  }

  void install(Exchange ex) throws IOException {
    JsonNode body = jsonBody(ex);
    JsonNode artifact = body.get("artifact");
    if (artifact == null || !artifact.isTextual()) {
      throw JsonTensors.bad("body needs \"artifact\": \"/path/to/model.kiln\"");
    }
    String placementText = body.path("placement").asText("replace").toUpperCase(Locale.ROOT);
    ModelManager.Placement placement;
    try {
      placement = ModelManager.Placement.valueOf(placementText);
    } catch (IllegalArgumentException e) {
      throw JsonTensors.bad("placement must be replace, variant or shadow");
    }
    double weight = body.path("weight").asDouble(1.0);
    Path source = importDirs.resolve(artifact.asText());
    InstalledModel s = models.install(source, placement, weight, false);
    ex.json(201, describe(s));
  }

  void delete(Exchange ex, String name) throws IOException {
    models.requireModel(name);
    ex.json(200, describe(models.unload(name)));
  }

  void variants(Exchange ex, String name) throws IOException {
    JsonNode body = jsonBody(ex);
    JsonNode list = body.get("variants");
    if (list == null || !list.isArray()) {
      throw JsonTensors.bad(
          "body needs \"variants\": [{\"version\": \"2\", \"weight\": 0.9}, ...] and optional \"shadow\"");
    }
    List<InstalledModel.Variant> variants = new ArrayList<>();
    for (JsonNode v : list) {
      if (!v.path("version").isTextual() || !v.path("weight").isNumber()) {
        throw JsonTensors.bad("each variant needs \"version\" (string) and \"weight\" (number)");
      }
      variants.add(
          new InstalledModel.Variant(v.get("version").asText(), v.get("weight").asDouble()));
    }
    JsonNode shadow = body.get("shadow");
    String shadowVersion = shadow == null || shadow.isNull() ? null : shadow.asText();
    ex.json(200, describe(models.setTraffic(name, variants, shadowVersion)));
  }

  void putPipeline(Exchange ex, String name) throws IOException {
    JsonNode body = jsonBody(ex);
    List<String> steps = new ArrayList<>();
    body.path("steps").forEach(s -> steps.add(s.asText()));
    AgentConfig.PipelineSpec spec =
        PipelineValidator.validated(new AgentConfig.PipelineSpec(name, steps));
    for (String step : steps) {
      models.requireModel(step);
    }
    pipelineStore.save(spec);
    service.putPipeline(spec);
    ex.json(200, RequestDecoder.mapper().valueToTree(spec));
  }

  /**
   * Management bodies must say they are JSON: a form or {@code text/plain} body is what a web page
   * can send without a CORS preflight, so refusing it shuts that door before anything is read.
   */
  private static JsonNode jsonBody(Exchange ex) throws IOException {
    String type = ex.header("Content-Type");
    String media = type == null ? "" : type.split(";", 2)[0].strip();
    if (!media.equalsIgnoreCase("application/json")) {
      throw new AgentException(
          AgentErrorCode.UNSUPPORTED_MEDIA_TYPE,
          ex.method()
              + " "
              + ex.path()
              + " takes Content-Type application/json, not "
              + (type == null ? "none" : "'" + type.strip() + "'"));
    }
    return ex.jsonBody(MAX_CONTROL_BODY);
  }

  void metrics(Exchange ex) throws IOException {
    ex.text(200, "text/plain; version=0.0.4; charset=utf-8", metrics.render());
  }
}
