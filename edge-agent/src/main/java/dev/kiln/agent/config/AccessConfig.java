package dev.kiln.agent.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The keys that decide who may drive the agent: {@code http.auth}, {@code http.allowedOrigins} and
 * {@code models.importDirs}, each read with its default beside it.
 */
final class AccessConfig {
  /**
   * Health, scraping and inference stay open: load balancers, Prometheus and clients on the device
   * use them. {@code GET /metrics} holds counts and latencies per model, no inputs or outputs. The
   * Open Inference Protocol's health, metadata and infer endpoints are as open as {@code
   * /invocations}: its clients read a model's metadata (input names, datatypes, shapes) before they
   * infer, and an inference caller learns the same from the errors anyway. {@code POST /feedback}
   * is open because the clients that infer are the ones that learn the ground truth; it is bounded
   * (1 MiB, 1000 items) and can only add feedback records, never change what the agent serves.
   */
  static final List<String> DEFAULT_OPEN_ENDPOINTS =
      List.of(
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

  private static final String ENDPOINT = "(GET|POST|PUT|DELETE|PATCH) /[^\\s]*";
  private static final String ORIGIN =
      "https?://[a-z0-9.\\-]+(:[0-9]{1,5})?|https?://\\[[0-9a-f:.]+\\](:[0-9]{1,5})?";

  private AccessConfig() {}

  static AgentConfig.Auth auth(Section http) {
    Section auth = http.child("auth", "tokenFile", "openEndpoints");
    List<String> open =
        auth.node().has("openEndpoints") ? auth.strings("openEndpoints") : DEFAULT_OPEN_ENDPOINTS;
    for (String endpoint : open) {
      if (!endpoint.matches(ENDPOINT)) {
        throw new ConfigException(
            auth.key("openEndpoints"),
            "'"
                + endpoint
                + "' is not an endpoint; write \"METHOD /path\" with METHOD one of GET, POST, PUT,"
                + " DELETE, PATCH and * for one path segment, e.g. \"POST /models/*/invocations\"");
      }
    }
    // null: the agent keeps its own token under the state dir and creates it on first start.
    return new AgentConfig.Auth(auth.path("tokenFile", null), List.copyOf(open));
  }

  static List<String> allowedOrigins(Section http) {
    List<String> origins = new ArrayList<>();
    for (String origin : http.strings("allowedOrigins")) {
      String lower = origin.toLowerCase(Locale.ROOT);
      if (!lower.matches(ORIGIN)) {
        throw new ConfigException(
            http.key("allowedOrigins"),
            "'"
                + origin
                + "' is not a web origin; write scheme://host[:port] with no path, e.g."
                + " https://dashboard.example.com");
      }
      origins.add(lower);
    }
    return List.copyOf(origins);
  }

  static List<Path> importDirs(Section models, Path stateDir) {
    if (!models.node().has("importDirs")) {
      return List.of(stateDir.resolve("import"));
    }
    return List.copyOf(models.paths("importDirs"));
  }
}
