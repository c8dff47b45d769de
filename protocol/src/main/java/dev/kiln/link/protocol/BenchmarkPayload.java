package dev.kiln.link.protocol;

import java.util.List;

/**
 * Body of a {@code benchmark} command: measure installed model versions under each configuration,
 * on the device itself, within a budget, and answer with a {@link BenchmarkReport} in the final
 * reply's {@code result}. The versions must already be installed on the device (a deploy, or the
 * agent's {@code models.artifacts}); the command never downloads.
 *
 * @param artifacts the versions to measure, e.g. an fp32 and an int8 build of one model
 * @param configs each is measured on every artifact; empty lets the device choose its default grid
 * @param budget how much of the device the benchmark may take; null takes the defaults
 */
public record BenchmarkPayload(List<Target> artifacts, List<Config> configs, Budget budget) {
  public static final String TYPE = "benchmark";

  /** One installed version. */
  public record Target(String model, String version) {}

  /**
   * One serving configuration, in the agent's own config keys.
   *
   * @param threads {@code threads.inference}: intra-op threads per predictor
   * @param predictors {@code threads.predictors}: engine calls that may run the model at once
   * @param maxBatchSize {@code batching.maxBatchSize}: 1 is batching off
   * @param concurrency closed-loop clients sending requests back to back
   */
  public record Config(int threads, int predictors, int maxBatchSize, int concurrency) {
    public boolean batching() {
      return maxBatchSize > 1;
    }

    /** Short label for tables and progress lines: {@code t1 p2 batch8 c8}. */
    public String label() {
      return "t"
          + threads
          + " p"
          + predictors
          + (batching() ? " batch" + maxBatchSize : " nobatch")
          + " c"
          + concurrency;
    }
  }

  /**
   * @param maxSeconds the whole benchmark's wall time, loads included; configurations not reached
   *     by then are reported as skipped
   * @param secondsPerConfig measured load per configuration (after warm-up)
   * @param maxRequestsPerConfig stops a configuration early once this many requests are measured
   * @param warmUpRequests unmeasured requests per configuration, after the model loads
   */
  public record Budget(
      double maxSeconds, double secondsPerConfig, int maxRequestsPerConfig, int warmUpRequests) {}
}
