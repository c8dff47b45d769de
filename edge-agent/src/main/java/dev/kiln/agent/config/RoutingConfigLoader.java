package dev.kiln.agent.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reads {@code models.routing}: one bandit per model name. */
final class RoutingConfigLoader {
  static final double DEFAULT_FLOOR = 0.05;
  static final int DEFAULT_PENDING = 10_000;

  private RoutingConfigLoader() {}

  static Map<String, RoutingConfig> read(Section models) {
    JsonNode node = models.node().get("routing");
    if (node == null || node.isNull()) {
      return Map.of();
    }
    if (!node.isObject()) {
      throw new ConfigException(
          models.key("routing"),
          "must be an object of model name to {\"type\": \"bandit\", ...}, got " + node);
    }
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    Section routing = models.child("routing", names.toArray(String[]::new));
    Map<String, RoutingConfig> out = new TreeMap<>();
    for (String model : names) {
      out.put(model, one(routing, model));
    }
    return Map.copyOf(out);
  }

  private static RoutingConfig one(Section routing, String model) {
    Section s =
        routing.child(model, "type", "algorithm", "explorationFloor", "reward", "pendingRequests");
    String type = s.text("type", null);
    if (!"bandit".equals(type)) {
      throw new ConfigException(
          s.key("type"),
          (type == null ? "is required" : "'" + type + "' is not allowed")
              + "; use \"bandit\" (a model without a routing entry keeps its static weights)");
    }
    String algorithm = s.text("algorithm", RoutingConfig.THOMPSON);
    if (!RoutingConfig.THOMPSON.equals(algorithm)) {
      throw new ConfigException(
          s.key("algorithm"), "'" + algorithm + "' is not allowed; use thompson");
    }
    double floor = s.decimal("explorationFloor", DEFAULT_FLOOR, 0.0, 0.5);
    int pending = s.integer("pendingRequests", DEFAULT_PENDING, 1, 1_000_000);
    return new RoutingConfig(algorithm, floor, reward(s), pending);
  }

  private static RoutingConfig.Reward reward(Section s) {
    JsonNode r = s.node().get("reward");
    if (r == null || r.isNull() || (r.isTextual() && r.asText().equals("feedback"))) {
      return RoutingConfig.Reward.FEEDBACK;
    }
    if (r.isObject()) {
      Section latency = s.child("reward", "latencyUnderMs");
      long bound = latency.longValue("latencyUnderMs", 0, 1, 3_600_000);
      if (bound == 0) {
        throw new ConfigException(latency.key("latencyUnderMs"), "is required");
      }
      return new RoutingConfig.Reward(bound);
    }
    throw new ConfigException(
        s.key("reward"), "'" + r + "' is not allowed; use \"feedback\" or {\"latencyUnderMs\": N}");
  }
}
