package dev.kiln.agent.serving;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.store.InstalledModel;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * Picks the production variant for a request: the one named by the {@code X-Kiln-Variant} header
 * when given, else the model's {@link RoutingPolicy} (a bandit), else a weighted random draw (each
 * variant with probability weight / sum of weights).
 */
public final class VariantRouter {
  private VariantRouter() {}

  /** As {@link #pick(String, List, String, DoubleSupplier)}, asking {@code policy} first. */
  public static String pick(
      String model,
      List<InstalledModel.Variant> variants,
      String requested,
      DoubleSupplier random,
      RoutingPolicy policy) {
    if (!variants.isEmpty() && (requested == null || requested.isBlank())) {
      String chosen = policy.choose(model, variants);
      if (chosen != null) {
        return chosen;
      }
    }
    return pick(model, variants, requested, random);
  }

  /**
   * @param random uniform draws in [0, 1)
   */
  public static String pick(
      String model,
      List<InstalledModel.Variant> variants,
      String requested,
      DoubleSupplier random) {
    if (variants.isEmpty()) {
      throw new AgentException(
          AgentErrorCode.MODEL_NOT_FOUND,
          "model '" + model + "' has no active version; install one with POST /models");
    }
    if (requested != null && !requested.isBlank()) {
      for (InstalledModel.Variant v : variants) {
        if (v.version().equals(requested)) {
          return v.version();
        }
      }
      throw new AgentException(
          AgentErrorCode.VERSION_NOT_FOUND,
          "model '"
              + model
              + "' has no production variant '"
              + requested
              + "'; valid variants: "
              + variants.stream().map(InstalledModel.Variant::version).toList());
    }
    double total = variants.stream().mapToDouble(InstalledModel.Variant::weight).sum();
    if (total <= 0) {
      return variants.get(0).version();
    }
    double draw = random.getAsDouble() * total;
    for (InstalledModel.Variant v : variants) {
      draw -= v.weight();
      if (draw < 0) {
        return v.version();
      }
    }
    return variants.get(variants.size() - 1).version();
  }
}
