package dev.kiln.agent.serving;

import dev.kiln.agent.store.InstalledModel;
import java.util.List;

/**
 * Chooses among a model's production variants when the request names none, in place of the static
 * weights: the bandit plugs in here. A variant named by a request header always wins.
 */
public interface RoutingPolicy {
  /** Static weights for every model. */
  RoutingPolicy WEIGHTS = (model, variants) -> null;

  /**
   * @return the version to serve, one of {@code variants}; or null to use the static weights
   */
  String choose(String model, List<InstalledModel.Variant> variants);

  /** What {@code GET /models/{m}} shows under {@code routing}, or null for static weights. */
  default Object describe(String model) {
    return null;
  }
}
