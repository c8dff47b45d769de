package dev.kiln.cli.recommend;

import dev.kiln.link.protocol.BenchmarkPayload;
import picocli.CommandLine.Option;

/** The benchmark's budget from the command line; 0 leaves a field to the defaults. */
public final class BudgetOptions {
  @Option(
      names = "--seconds-per-config",
      paramLabel = "S",
      description =
          "Measured load per configuration, after warm-up. Default: 3 locally, 2 on a device")
  double secondsPerConfig;

  @Option(
      names = "--max-seconds",
      paramLabel = "S",
      description =
          "The whole benchmark's wall time; configurations not reached are skipped."
              + " Default: 300 locally, 120 on a device (at most 600)")
  double maxSeconds;

  @Option(
      names = "--max-requests",
      paramLabel = "N",
      description = "Stop a configuration's load after N measured requests. Default: 100000")
  int maxRequests;

  @Option(
      names = "--warm-up",
      paramLabel = "N",
      description = "Unmeasured requests per configuration after it loads. Default: 20")
  int warmUp;

  /** What was asked; zeros are filled in where the benchmark runs. */
  public BenchmarkPayload.Budget asked() {
    return new BenchmarkPayload.Budget(maxSeconds, secondsPerConfig, maxRequests, warmUp);
  }
}
