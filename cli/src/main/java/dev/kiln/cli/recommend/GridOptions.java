package dev.kiln.cli.recommend;

import dev.kiln.link.protocol.BenchmarkPayload.Config;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * A configuration grid from the command line: the cross product of the lists given, each list that
 * is left out taking {@code 1}. With none given, the grid is the default one, chosen where the
 * benchmark runs (from that machine's cores).
 */
public final class GridOptions {
  @Option(
      names = "--threads",
      split = ",",
      paramLabel = "N",
      description = "threads.inference values to try (intra-op threads per predictor)")
  List<Integer> threads;

  @Option(
      names = "--predictors",
      split = ",",
      paramLabel = "N",
      description = "threads.predictors values to try")
  List<Integer> predictors;

  @Option(
      names = "--batch",
      split = ",",
      paramLabel = "N",
      description = "batching.maxBatchSize values to try (1 = off)")
  List<Integer> batch;

  @Option(
      names = "--concurrency",
      split = ",",
      paramLabel = "N",
      description = "closed-loop client counts to measure at")
  List<Integer> concurrency;

  /** Empty when no list was given: the default grid of the machine that measures. */
  public List<Config> configs() {
    if (threads == null && predictors == null && batch == null && concurrency == null) {
      return List.of();
    }
    return cross(or1(threads), or1(predictors), or1(batch), or1(concurrency));
  }

  static List<Config> cross(
      List<Integer> threads, List<Integer> predictors, List<Integer> batch, List<Integer> clients) {
    List<Config> out = new ArrayList<>();
    for (int c : clients) {
      for (int p : predictors) {
        for (int t : threads) {
          for (int b : batch) {
            out.add(new Config(t, p, b, c));
          }
        }
      }
    }
    return out;
  }

  private static List<Integer> or1(List<Integer> values) {
    return values == null || values.isEmpty() ? List.of(1) : values;
  }
}
