package dev.kiln.cloud.store;

import java.util.List;

/**
 * What {@code kiln fleet compare} (and the service's {@code GET /compare}) reports for one
 * deployment: how each version served over the deployment's time window on its devices, and how
 * often the new version agrees with the old.
 *
 * @param from epoch ms the deployment started
 * @param to epoch ms it ended, or now while it runs
 */
public record Comparison(
    String deployment,
    String model,
    String newVersion,
    String strategy,
    List<String> devices,
    long from,
    long to,
    List<VersionStats> versions,
    Agreement agreement) {

  /**
   * One version in one role, from capture (predictions, latency, top class) and heartbeats
   * (requests and errors, which capture lacks: failed inferences are not captured).
   *
   * @param role {@code serving} (answers clients) or {@code shadow} (mirrored, answers discarded)
   * @param errorRate errors / requests from heartbeats; null without heartbeats in the window
   */
  public record VersionStats(
      String version,
      String role,
      long predictions,
      Double p50Ms,
      Double p95Ms,
      Integer topClass,
      Long requests,
      Long errors,
      Double errorRate) {}

  /**
   * How the new version's answers relate to the old one's.
   *
   * @param method {@code same-requests} (shadow: both ran on each request) or {@code class-mix}
   *     (A/B: different requests, so only the distributions of predicted classes are compared)
   * @param pairs requests compared (same-requests) or predictions in the smaller group (class-mix)
   * @param rate share of requests with the same top class, or the overlap of the class mixes (0..1)
   * @param meanTopScoreDelta mean |difference of the top output| per request (same-requests only)
   */
  public record Agreement(String method, long pairs, Double rate, Double meanTopScoreDelta) {}
}
