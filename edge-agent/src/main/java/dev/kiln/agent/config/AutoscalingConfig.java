package dev.kiln.agent.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads {@code autoscaling.models.<name>}: per-model replica autoscaling, each key with its default
 * beside it. A model not listed keeps a fixed {@code threads.predictors}.
 */
final class AutoscalingConfig {
  private AutoscalingConfig() {}

  static AgentConfig.Autoscaling read(Section top) {
    Section autoscaling = top.child("autoscaling", "models");
    Map<String, AgentConfig.ModelAutoscaling> perModel = new TreeMap<>();
    JsonNode models = autoscaling.node().get("models");
    if (models != null && !models.isNull()) {
      if (!models.isObject()) {
        throw new ConfigException(
            autoscaling.key("models"), "must be an object of model name -> settings");
      }
      String[] names = names(models);
      Section modelsSection = autoscaling.child("models", names);
      for (String model : names) {
        if (!model.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
          throw new ConfigException(
              modelsSection.key(model),
              "is not a model name; use 1-128 characters from A-Z a-z 0-9 . _ -, starting with a"
                  + " letter or digit");
        }
        perModel.put(model, model(modelsSection.child(model, KEYS)));
      }
    }
    return new AgentConfig.Autoscaling(Map.copyOf(perModel));
  }

  private static final String[] KEYS = {
    "minReplicas",
    "maxReplicas",
    "targetInFlightPerReplica",
    "scaleOutCooldownS",
    "scaleInCooldownS",
    "idleSeconds",
    "coldStartTimeoutS"
  };

  private static AgentConfig.ModelAutoscaling model(Section m) {
    int min = m.integer("minReplicas", 1, 0, 64);
    // As many replicas as cores by default: one intra-op thread each keeps every core busy.
    int max = m.integer("maxReplicas", Math.max(Math.max(1, min), cores()), 1, 64);
    if (max < min) {
      throw new ConfigException(
          m.key("maxReplicas"), "must be at least minReplicas (" + min + "), got " + max);
    }
    if (min > 0 && m.node().has("idleSeconds")) {
      throw new ConfigException(
          m.key("idleSeconds"),
          "applies only with minReplicas 0 (scale to zero); this model keeps "
              + min
              + " replica(s) loaded. Remove it or set minReplicas to 0");
    }
    return new AgentConfig.ModelAutoscaling(
        min,
        max,
        m.decimal("targetInFlightPerReplica", 1.0, 0.01, 1000.0),
        m.integer("scaleOutCooldownS", 10, 0, 86_400),
        m.integer("scaleInCooldownS", 60, 0, 86_400),
        m.integer("idleSeconds", 300, 1, 86_400),
        // A fraction is allowed: a caller that would rather retry than wait a whole second.
        m.decimal("coldStartTimeoutS", 30.0, 0.001, 600.0));
  }

  private static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }

  private static String[] names(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names.toArray(String[]::new);
  }
}
