package dev.kiln.agent.runtime;

/**
 * How many intra-op threads each predictor of a model gets. Predictors run at the same time, so
 * their threads add up; more runnable engine threads than cores only makes them wait on each other
 * (on 2 cores, 4 threads ran the CNN at 0.43x the speed of 1). The rule:
 *
 * <ul>
 *   <li>{@code threads.inference} set (above 0): that number, as configured.
 *   <li>Otherwise: the manifest's thread count (the compile profile's core count, a hint), capped
 *       at the cores available to the agent divided among its predictors, and at least 1.
 * </ul>
 */
public final class InferenceThreads {
  private InferenceThreads() {}

  /**
   * @param configured the device's {@code threads.inference}; 0 for "choose"
   * @param profileHint the manifest's thread count; 0 when it names none
   * @param predictors requests that may run the model at once
   * @param cores cores available to the JVM ({@code Runtime.availableProcessors()}, which follows
   *     cgroup CPU limits and affinity on JDK 17)
   */
  public static int perPredictor(int configured, int profileHint, int predictors, int cores) {
    if (configured > 0) {
      return configured;
    }
    int share = Math.max(1, Math.max(1, cores) / Math.max(1, predictors));
    return profileHint > 0 ? Math.min(profileHint, share) : share;
  }
}
