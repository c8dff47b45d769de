package dev.kiln.agent.config;

/**
 * How a model's production variants share its traffic when no request names one: a bandit that
 * learns from rewards which variant serves best (docs/agent.md, "Bandit routing"). Models without
 * an entry under {@code models.routing} keep the static variant weights.
 *
 * @param algorithm {@code thompson}: Thompson sampling over Beta posteriors
 * @param explorationFloor the least share of traffic each variant keeps, whatever the posteriors
 *     say (capped at 1 / number of variants)
 * @param reward where each request's reward in [0, 1] comes from
 * @param pendingRequests how many served request ids wait for their {@code POST /feedback}; the
 *     oldest is forgotten first when full
 */
public record RoutingConfig(
    String algorithm, double explorationFloor, Reward reward, int pendingRequests) {

  public static final String THOMPSON = "thompson";

  /**
   * @param latencyUnderMs 0 for {@code feedback}: rewards arrive by {@code POST /feedback}. Above
   *     0: each request scores 1 when it ran without error within this many milliseconds, else 0
   */
  public record Reward(long latencyUnderMs) {
    public static final Reward FEEDBACK = new Reward(0);

    public boolean fromFeedback() {
      return latencyUnderMs == 0;
    }

    /** As the config writes it: {@code feedback} or {@code {"latencyUnderMs": N}}. */
    public Object describe() {
      return fromFeedback() ? "feedback" : java.util.Map.of("latencyUnderMs", latencyUnderMs);
    }
  }
}
