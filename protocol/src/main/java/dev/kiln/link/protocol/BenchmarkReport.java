package dev.kiln.link.protocol;

import java.util.List;
import java.util.Locale;

/**
 * What a benchmark measured: one row per (artifact, configuration), in the order run. Carried in
 * the {@code result} of a {@code benchmark} command's SUCCEEDED reply, and printed by {@code kiln
 * recommend --local} from the same type.
 *
 * @param host where it ran: device id or host name
 * @param cores cores available to the measuring process (cgroup-aware)
 * @param rows the measurements
 */
public record BenchmarkReport(String host, int cores, List<Row> rows) {

  /**
   * One configuration of one artifact.
   *
   * @param precision {@code fp32}, or the manifest's quantized precision ({@code int8})
   * @param requests measured requests that answered (warm-up excluded)
   * @param errors measured requests that failed; a row with errors is never recommended
   * @param seconds measured wall time (time spent yielding to production traffic excluded)
   * @param throughput requests per second over {@code seconds}
   * @param rssMiB resident memory of the measuring process after the configuration ran, engines
   *     included (on a device: the agent, production models included)
   * @param yieldedMs client time the row's load (warm-up included) paused because production
   *     requests were in flight, summed over its clients
   * @param skipped why it was not measured (budget spent, load failed); null when measured
   */
  public record Row(
      String model,
      String version,
      String precision,
      BenchmarkPayload.Config config,
      long requests,
      long errors,
      double seconds,
      double p50Ms,
      double p95Ms,
      double p99Ms,
      double throughput,
      double rssMiB,
      long yieldedMs,
      String skipped) {
    public boolean measured() {
      return skipped == null && requests > 0;
    }

    /** {@code model@version}. */
    public String artifact() {
      return model + "@" + version;
    }

    /** One line for people (progress lines, logs): what ran and its figures, or why it did not. */
    public String summary() {
      String head = artifact() + " " + precision + " " + config.label() + ": ";
      if (!measured()) {
        return head + "skipped, " + skipped;
      }
      return head
          + String.format(
              Locale.ROOT,
              "p50 %.3f ms, p95 %.3f ms, p99 %.3f ms, %.1f req/s, RSS %.0f MiB%s",
              p50Ms,
              p95Ms,
              p99Ms,
              throughput,
              rssMiB,
              errors > 0 ? ", " + errors + " failed" : "");
    }
  }
}
