package dev.kiln.agent.benchmark;

import dev.kiln.agent.runtime.RunnerFactory;
import dev.kiln.agent.serving.Metrics;
import dev.kiln.agent.serving.TrialModel;
import dev.kiln.link.protocol.BenchmarkPayload;
import dev.kiln.link.protocol.BenchmarkReport;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures each candidate artifact under each configuration, one at a time: load it with the
 * configuration's threads, predictors and batching ({@link TrialModel}, the agent's own serving
 * path), warm up, run a closed-loop load at the configuration's concurrency, read the percentiles,
 * throughput and the process's RSS, close it. Everything stays within the {@link BenchmarkBudget}:
 * a configuration over the thread cap is skipped with the reason, and once the whole run's time is
 * spent the rest are skipped as well.
 */
public final class Benchmark {
  private static final Logger LOG = LoggerFactory.getLogger(Benchmark.class);

  /** Told of each row as it is measured (progress lines, IN_PROGRESS replies). */
  @FunctionalInterface
  public interface Progress {
    void measured(int done, int total, BenchmarkReport.Row row);
  }

  private final RunnerFactory runners;
  private final ProductionGate gate;
  private final BenchmarkPayload.Budget budget;
  private final int cores;

  /**
   * @param cores cores this process may use: the thread cap and the default grid follow it
   */
  public Benchmark(
      RunnerFactory runners, ProductionGate gate, BenchmarkPayload.Budget budget, int cores) {
    List<String> problems = BenchmarkBudget.problems(budget);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    this.runners = runners;
    this.gate = gate;
    this.budget = budget;
    this.cores = cores;
  }

  /** The grid measured when a caller names no configurations (see {@link DefaultGrid}). */
  public List<BenchmarkPayload.Config> defaultGrid(List<Candidate> candidates) {
    boolean batchable =
        candidates.stream().anyMatch(c -> TrialModel.batchable(c.artifact().manifest()));
    return DefaultGrid.of(cores, batchable);
  }

  public BenchmarkReport run(
      String host,
      List<Candidate> candidates,
      List<BenchmarkPayload.Config> configs,
      Progress progress)
      throws InterruptedException {
    long deadline = System.nanoTime() + (long) (budget.maxSeconds() * 1e9);
    int total = candidates.size() * configs.size();
    List<BenchmarkReport.Row> rows = new ArrayList<>();
    for (Candidate candidate : candidates) {
      for (BenchmarkPayload.Config config : configs) {
        BenchmarkReport.Row row = measure(candidate, config, deadline);
        rows.add(row);
        progress.measured(rows.size(), total, row);
      }
    }
    return new BenchmarkReport(host, cores, rows);
  }

  private BenchmarkReport.Row measure(Candidate c, BenchmarkPayload.Config config, long deadline)
      throws InterruptedException {
    String refusal = BenchmarkBudget.refusal(config, cores);
    if (refusal != null) {
      return skipped(c, config, refusal);
    }
    if (config.batching() && !TrialModel.batchable(c.artifact().manifest())) {
      return skipped(c, config, "the model's signature cannot be batched (no dynamic dim 0)");
    }
    if (System.nanoTime() >= deadline) {
      return skipped(c, config, "budget spent (" + (int) budget.maxSeconds() + " s)");
    }
    if (gate == ProductionGate.NONE) {
      // Garbage from the configuration before (tensors, latency arrays) is not this one's
      // memory. Never on a device: a full collection would pause production requests too.
      System.gc();
    }
    try (TrialModel model =
        TrialModel.load(
            runners, c.artifact(), config.threads(), config.predictors(), config.maxBatchSize())) {
      ClosedLoop.Result warmUp =
          ClosedLoop.run(
              model::run,
              model.sampleInputs(),
              config.concurrency(),
              budget.secondsPerConfig(),
              budget.warmUpRequests(),
              gate,
              deadline);
      ClosedLoop.Result r =
          ClosedLoop.run(
              model::run,
              model.sampleInputs(),
              config.concurrency(),
              budget.secondsPerConfig(),
              budget.maxRequestsPerConfig(),
              gate,
              deadline);
      long rss = Metrics.residentBytes();
      if (r.latenciesNanos().length == 0) {
        return skipped(
            c,
            config,
            r.errors() > 0
                ? "every request failed: " + r.firstError()
                : "no request completed within the budget");
      }
      double seconds =
          Math.max(1e-9, (r.elapsedNanos() - r.yieldedNanos() / config.concurrency()) / 1e9);
      long n = r.latenciesNanos().length;
      return new BenchmarkReport.Row(
          c.model(),
          c.version(),
          c.precision(),
          config,
          n,
          r.errors(),
          seconds,
          ms(ClosedLoop.quantile(r.latenciesNanos(), 0.50)),
          ms(ClosedLoop.quantile(r.latenciesNanos(), 0.95)),
          ms(ClosedLoop.quantile(r.latenciesNanos(), 0.99)),
          n / seconds,
          rss < 0 ? -1 : rss / (1024.0 * 1024.0),
          (warmUp.yieldedNanos() + r.yieldedNanos()) / 1_000_000,
          null);
    } catch (RuntimeException | java.io.IOException e) {
      LOG.warn("benchmark of {}@{} {} failed", c.model(), c.version(), config.label(), e);
      return skipped(c, config, "failed: " + e.getMessage());
    }
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  private static BenchmarkReport.Row skipped(
      Candidate c, BenchmarkPayload.Config config, String why) {
    return new BenchmarkReport.Row(
        c.model(), c.version(), c.precision(), config, 0, 0, 0, 0, 0, 0, 0, 0, 0, why);
  }
}
