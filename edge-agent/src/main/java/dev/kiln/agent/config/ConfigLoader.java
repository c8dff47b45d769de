package dev.kiln.agent.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.json.JsonTrees;
import dev.kiln.profile.Arch;
import dev.kiln.profile.Target;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads and validates {@code agent.json}. Each key is read with its default declared on the same
 * line, and any key the agent does not know is an error (a typo would otherwise silently fall back
 * to a default).
 */
public final class ConfigLoader {
  private static final long MIB = 1024L * 1024L;

  private ConfigLoader() {}

  public static AgentConfig load(Path file) {
    try {
      return parse(Files.readString(file), file.toAbsolutePath().getParent());
    } catch (IOException e) {
      throw new ConfigException(file.toString(), "cannot read the config file: " + e.getMessage());
    }
  }

  /**
   * @param baseDir relative paths in the config resolve against it (the config file's folder)
   */
  public static AgentConfig parse(String json, Path baseDir) {
    JsonNode root;
    try {
      root = JsonTrees.parse(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new ConfigException("(root)", "not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new ConfigException("(root)", "must be a JSON object");
    }
    Section top =
        new Section(
            "",
            root,
            baseDir,
            "deviceId",
            "profile",
            "stateDir",
            "http",
            "security",
            "models",
            "batching",
            "threads",
            "autoscaling",
            "pipelines",
            "cloud");
    String deviceId = top.text("deviceId", hostName());
    String profile = top.text("profile", Target.cpuTarget(Arch.host()).profileName());
    Path stateDir = top.path("stateDir", Path.of("/var/lib/kiln"));

    Section http =
        top.child(
            "http",
            "host",
            "port",
            "maxBodyBytes",
            "drainSeconds",
            "auth",
            "allowedOrigins",
            "idleTimeoutSeconds",
            "headerTimeoutSeconds",
            "minRequestBytesPerSecond",
            "maxHeaderBytes",
            "maxConnections",
            "tls");
    AgentConfig.Http httpConfig =
        new AgentConfig.Http(
            http.text("host", "127.0.0.1"),
            http.integer("port", 8080, 0, 65535),
            http.longValue("maxBodyBytes", 6 * MIB, 1024, 1024 * MIB),
            http.integer("drainSeconds", 10, 0, 600),
            AccessConfig.auth(http),
            AccessConfig.allowedOrigins(http),
            http.integer("idleTimeoutSeconds", 30, 1, 3600),
            http.integer("headerTimeoutSeconds", 10, 1, 600),
            http.longValue("minRequestBytesPerSecond", 1024, 0, 1024 * MIB),
            http.integer("maxHeaderBytes", 8192, 1024, 1024 * 1024),
            http.integer("maxConnections", 256, 1, 65535),
            tls(http));

    Section security = top.child("security", "trustedKeysDir", "requireSignature");
    AgentConfig.Security securityConfig =
        new AgentConfig.Security(
            security.path("trustedKeysDir", stateDir.resolve("trusted-keys")),
            security.bool("requireSignature", true));

    Section models =
        top.child(
            "models",
            "memoryBudgetMb",
            "memoryFactor",
            "defaultModel",
            "artifacts",
            "acceptNonFinite",
            "importDirs",
            "routing");
    AgentConfig.Models modelsConfig =
        new AgentConfig.Models(
            models.longValue("memoryBudgetMb", 512, 1, 1024L * 1024L),
            models.decimal("memoryFactor", 3.0, 1.0, 10_000.0),
            models.text("defaultModel", null),
            models.paths("artifacts"),
            acceptNonFinite(models),
            AccessConfig.importDirs(models, stateDir),
            RoutingConfigLoader.read(models));

    AgentConfig.Batching batchingConfig = batching(top);

    int cores = Runtime.getRuntime().availableProcessors();
    Section threads = top.child("threads", "http", "inference", "predictors", "wideLoneRequests");
    AgentConfig.Threads threadsConfig =
        new AgentConfig.Threads(
            threads.integer("http", AgentConfig.Threads.defaultHttp(cores), 1, 512),
            threads.integer("inference", 0, 0, 512),
            // Two predictors overlap one request's decoding with another's engine call, but
            // never more predictors than cores (see InferenceThreads for the per-predictor share).
            threads.integer("predictors", Math.min(2, cores), 1, 64),
            threads.bool("wideLoneRequests", true));

    List<AgentConfig.PipelineSpec> pipelines = top.pipelines("pipelines");
    AgentConfig.Cloud cloud = cloud(top, securityConfig.trustedKeysDir());
    return new AgentConfig(
        deviceId,
        profile,
        stateDir,
        httpConfig,
        securityConfig,
        modelsConfig,
        batchingConfig,
        threadsConfig,
        AutoscalingConfig.read(top),
        pipelines,
        cloud);
  }

  private static AgentConfig.Tls tls(Section http) {
    if (http.node().get("tls") == null || http.node().get("tls").isNull()) {
      return null;
    }
    Section tls = http.child("tls", "certFile", "keyFile", "clientCaFile");
    Path cert = tls.path("certFile", null);
    Path key = tls.path("keyFile", null);
    if (cert == null || key == null) {
      throw new ConfigException(
          tls.key(cert == null ? "certFile" : "keyFile"),
          "is required with http.tls: give the server certificate (PEM) and its PKCS#8 key");
    }
    return new AgentConfig.Tls(cert, key, tls.path("clientCaFile", null));
  }

  private static AgentConfig.Cloud cloud(Section top, Path trustedKeysDir) {
    Section cloud =
        top.child(
            "cloud",
            "brokerUrl",
            "username",
            "password",
            "caFile",
            "certFile",
            "keyFile",
            "heartbeatSeconds",
            "capture",
            "groups",
            "commandKeysDir");
    String broker = cloud.text("brokerUrl", null);
    if (broker != null && !broker.matches("(tcp|ssl)://[^/\\s]+:\\d+")) {
      throw new ConfigException(
          cloud.key("brokerUrl"),
          "'" + broker + "' is not a broker URL; use tcp://host:1883 or ssl://host:8883");
    }
    Section capture =
        cloud.child(
            "capture",
            "samplePercent",
            "mode",
            "maxPayloadBytes",
            "encryptionKeyFile",
            "durability");
    String mode = capture.text("mode", "both");
    if (!List.of("inputs", "outputs", "both").contains(mode)) {
      throw new ConfigException(
          capture.key("mode"), "'" + mode + "' is not allowed; use inputs, outputs or both");
    }
    String durability = capture.text("durability", "async");
    if (!List.of("async", "sync").contains(durability)) {
      throw new ConfigException(
          capture.key("durability"), "'" + durability + "' is not allowed; use async or sync");
    }
    return new AgentConfig.Cloud(
        broker,
        cloud.text("username", null),
        cloud.text("password", null),
        cloud.path("caFile", null),
        cloud.path("certFile", null),
        cloud.path("keyFile", null),
        cloud.integer("heartbeatSeconds", 10, 1, 3600),
        new AgentConfig.Capture(
            capture.decimal("samplePercent", 100.0, 0.0, 100.0),
            mode,
            capture.integer("maxPayloadBytes", 64 * 1024, 0, 16 * 1024 * 1024),
            capture.path("encryptionKeyFile", null),
            durability),
        groups(cloud),
        cloud.path("commandKeysDir", trustedKeysDir));
  }

  private static List<String> groups(Section cloud) {
    List<String> groups = cloud.strings("groups");
    for (String g : groups) {
      if (!g.matches("[A-Za-z0-9._-]{1,64}")) {
        throw new ConfigException(
            cloud.key("groups"),
            "group '" + g + "' is not valid; use 1-64 characters from A-Z a-z 0-9 . _ -");
      }
    }
    return List.copyOf(groups);
  }

  private static Set<String> acceptNonFinite(Section models) {
    Set<String> names = new TreeSet<>();
    for (String name : models.strings("acceptNonFinite")) {
      if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
        throw new ConfigException(
            models.key("acceptNonFinite"),
            "'"
                + name
                + "' is not a model name; use 1-128 characters from A-Z a-z 0-9 . _ -, starting"
                + " with a letter or digit");
      }
      names.add(name);
    }
    return Set.copyOf(names);
  }

  private static AgentConfig.Batching batching(Section top) {
    Section batching = top.child("batching", "maxBatchSize", "maxQueueDelayMs", "models");
    // Off by default. The batcher no longer delays a lone client (it batches only requests that
    // arrive while every predictor is busy), but on 2 cores, at 32 clients, batching ran the CNN
    // at 0.96-1.10x and mobilenet_v2 at 0.78-0.95x the rate without it (docs/benchmarks.md,
    // "Dynamic batching that never waits"). maxQueueDelayMs is still read so older configs stay
    // valid; nothing waits on it.
    int maxBatchSize = batching.integer("maxBatchSize", 1, 1, 4096);
    int maxQueueDelayMs = batching.integer("maxQueueDelayMs", 2, 0, 10_000);
    Map<String, AgentConfig.Batching> perModel = new TreeMap<>();
    JsonNode models = batching.node().get("models");
    if (models != null && !models.isNull()) {
      Section modelsSection = batching.child("models", names(models));
      for (String model : names(models)) {
        // A model's own entry inherits the defaults for the keys it leaves out.
        Section m = modelsSection.child(model, "maxBatchSize", "maxQueueDelayMs");
        perModel.put(
            model,
            new AgentConfig.Batching(
                m.integer("maxBatchSize", maxBatchSize, 1, 4096),
                m.integer("maxQueueDelayMs", maxQueueDelayMs, 0, 10_000),
                Map.of()));
      }
    }
    return new AgentConfig.Batching(maxBatchSize, maxQueueDelayMs, Map.copyOf(perModel));
  }

  private static String[] names(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names.toArray(String[]::new);
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "kiln-device";
    }
  }

  static List<AgentConfig.PipelineSpec> readPipelines(Section section, String key) {
    List<AgentConfig.PipelineSpec> out = new ArrayList<>();
    JsonNode node = section.node().get(key);
    if (node == null || node.isNull()) {
      return out;
    }
    if (!node.isArray()) {
      throw new ConfigException(key, "must be an array of {\"name\", \"steps\"} objects");
    }
    for (int i = 0; i < node.size(); i++) {
      Section p = new Section(key + "[" + i + "]", node.get(i), section.baseDir(), "name", "steps");
      String name = p.text("name", null);
      if (name == null) {
        throw new ConfigException(key + "[" + i + "].name", "is required");
      }
      List<String> steps = p.strings("steps");
      out.add(PipelineValidator.validated(new AgentConfig.PipelineSpec(name, steps)));
    }
    return out;
  }
}
