package dev.kiln.agent.benchmark;

import dev.kiln.link.protocol.BenchmarkPayload;
import java.util.ArrayList;
import java.util.List;

/**
 * How much of a machine a benchmark may take, and the limits a device enforces on what a command
 * asks for. The load of each configuration is bounded in time and requests; the whole run in wall
 * time; and a configuration's busy engine threads ({@code threads x predictors}) never exceed the
 * cores the process may use, so a benchmark cannot oversubscribe the CPU it shares with production
 * traffic. On a device the load also yields to production requests (see {@link ProductionGate}).
 */
public final class BenchmarkBudget {
  /** The longest whole run a device accepts: ten minutes. */
  public static final double MAX_SECONDS = 600;

  /** The longest measured load per configuration a device accepts. */
  public static final double MAX_SECONDS_PER_CONFIG = 60;

  /** Closed-loop clients at most. */
  public static final int MAX_CONCURRENCY = 64;

  /** Defaults for a device: two minutes in all, two seconds of load per configuration. */
  public static final BenchmarkPayload.Budget DEVICE_DEFAULT =
      new BenchmarkPayload.Budget(120, 2, 100_000, 20);

  /** Defaults for {@code kiln recommend --local}: five minutes, three seconds per configuration. */
  public static final BenchmarkPayload.Budget LOCAL_DEFAULT =
      new BenchmarkPayload.Budget(300, 3, 100_000, 20);

  private BenchmarkBudget() {}

  /** {@code asked} with each field left at 0 taken from {@code defaults}. */
  public static BenchmarkPayload.Budget orDefaults(
      BenchmarkPayload.Budget asked, BenchmarkPayload.Budget defaults) {
    if (asked == null) {
      return defaults;
    }
    return new BenchmarkPayload.Budget(
        asked.maxSeconds() > 0 ? asked.maxSeconds() : defaults.maxSeconds(),
        asked.secondsPerConfig() > 0 ? asked.secondsPerConfig() : defaults.secondsPerConfig(),
        asked.maxRequestsPerConfig() > 0
            ? asked.maxRequestsPerConfig()
            : defaults.maxRequestsPerConfig(),
        asked.warmUpRequests() > 0 ? asked.warmUpRequests() : defaults.warmUpRequests());
  }

  /**
   * Why a budget cannot be accepted, or an empty list: each problem names the field and its limit.
   */
  public static List<String> problems(BenchmarkPayload.Budget b) {
    List<String> out = new ArrayList<>();
    if (b.maxSeconds() <= 0 || b.maxSeconds() > MAX_SECONDS) {
      out.add("budget.maxSeconds must be in (0, " + (int) MAX_SECONDS + "]");
    }
    if (b.secondsPerConfig() <= 0 || b.secondsPerConfig() > MAX_SECONDS_PER_CONFIG) {
      out.add("budget.secondsPerConfig must be in (0, " + (int) MAX_SECONDS_PER_CONFIG + "]");
    }
    if (b.maxRequestsPerConfig() < 1) {
      out.add("budget.maxRequestsPerConfig must be at least 1");
    }
    if (b.warmUpRequests() < 0 || b.warmUpRequests() > 10_000) {
      out.add("budget.warmUpRequests must be in [0, 10000]");
    }
    return out;
  }

  /** Why {@code c} cannot run within the budget on {@code cores} cores; null when it can. */
  public static String refusal(BenchmarkPayload.Config c, int cores) {
    if (c.threads() < 1 || c.predictors() < 1 || c.maxBatchSize() < 1 || c.concurrency() < 1) {
      return "threads, predictors, maxBatchSize and concurrency must each be at least 1";
    }
    if ((long) c.threads() * c.predictors() > cores) {
      return "threads x predictors = "
          + (c.threads() * c.predictors())
          + " is over the "
          + cores
          + " cores this process may use";
    }
    if (c.concurrency() > MAX_CONCURRENCY) {
      return "concurrency is over " + MAX_CONCURRENCY;
    }
    if (c.maxBatchSize() > 4096) {
      return "maxBatchSize is over 4096 (the agent's limit)";
    }
    return null;
  }
}
