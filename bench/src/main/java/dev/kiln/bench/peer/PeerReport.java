package dev.kiln.bench.peer;

import dev.kiln.bench.agent.JvmVariant;

/** Prints {@link PeerBench}'s result as the markdown docs/benchmarks.md shows. */
public final class PeerReport {
  private PeerReport() {}

  public static void print(PeerBench.Result result) {
    if (result.skipped() != null) {
      System.out.println("peer: skipped: " + result.skipped());
      return;
    }
    System.out.printf(
        "Load average (1, 5, 15 min) at the start: %s; at the end: %s.%n"
            + "Reference: /usr/bin/gunicorn, %d sync workers, Flask, torch with %d intra-op thread"
            + " per worker, %s. Agent: kiln-agent run, %s, its own defaults (batching off,"
            + " threads.inference 0).%n%n",
        result.loadBefore(),
        result.loadAfter(),
        ReferenceContainer.WORKERS,
        ReferenceContainer.TORCH_THREADS,
        ReferenceContainer.OPTIMIZE
            ? "module frozen and optimized for inference"
            : "module as loaded (-Dkiln.bench.referenceOptimize=false)",
        JvmVariant.deviceDefaults(PeerBench.HEAP).name());
    System.out.println(
        "| model | JSON body bytes | output values | max abs diff, agent vs reference |"
            + " max abs reference output |");
    System.out.println("|---|---:|---:|---:|---:|");
    for (PeerBench.Check c : result.checks()) {
      System.out.printf(
          "| %s | %d | %d | %.2e | %.2e |%n",
          c.model(), c.bodyBytes(), c.values(), c.maxAbsDiff(), c.maxAbsReference());
    }
    System.out.println();
    System.out.println(
        "| model | connections | agent req/s | reference req/s | ratio agent/reference | goal |"
            + " agent p50 ms | agent p99 ms | reference p50 ms | reference p99 ms |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (PeerBench.Row r : result.rows()) {
      System.out.printf(
          "| %s | %d | %.1f | %.1f | %.2fx | %s | %.2f | %.2f | %.2f | %.2f |%n",
          r.model(),
          r.connections(),
          r.agent().reqPerSecond(),
          r.reference().reqPerSecond(),
          r.ratio(),
          Double.isNaN(r.goal())
              ? ""
              : String.format(
                  "at least %.0fx: %s", r.goal(), r.ratio() >= r.goal() ? "met" : "not met"),
          r.agent().latency().p50(),
          r.agent().latency().p99(),
          r.reference().latency().p50(),
          r.reference().latency().p99());
    }
  }
}
