package dev.kiln.agent.benchmark;

import dev.kiln.link.protocol.BenchmarkPayload.Config;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The configurations measured when none are given, from the cores the process may use ({@code
 * Runtime.availableProcessors()}, which follows cgroup CPU limits on JDK 17, as the agent's own
 * thread defaults do):
 *
 * <ul>
 *   <li>threads x predictors: for predictors 1, 2, 4 (up to the cores), intra-op threads 1 and
 *       cores / predictors; never more busy threads than cores;
 *   <li>clients: 1 (latency of a lone client) and 4 x cores, at most 32 (a loaded device);
 *   <li>batching: off everywhere; on ({@value #BATCH} rows) where it can matter, with more clients
 *       than predictors (the batcher never makes a lone client wait, so with one client it is the
 *       same as off).
 * </ul>
 *
 * <p>On 2 cores that is 9 configurations per artifact.
 */
public final class DefaultGrid {
  /** {@code batching.maxBatchSize} when the grid turns batching on. */
  public static final int BATCH = 16;

  private DefaultGrid() {}

  public static List<Config> of(int cores, boolean batchable) {
    int c = Math.max(1, cores);
    List<int[]> pairs = new ArrayList<>();
    for (int p = 1; p <= Math.min(c, 4); p *= 2) {
      Set<Integer> threads = new LinkedHashSet<>(List.of(1, c / p));
      for (int t : threads) {
        pairs.add(new int[] {t, p});
      }
    }
    int loaded = Math.min(32, 4 * c);
    List<Config> out = new ArrayList<>();
    for (int clients : new LinkedHashSet<>(List.of(1, loaded))) {
      for (int[] tp : pairs) {
        out.add(new Config(tp[0], tp[1], 1, clients));
        if (batchable && clients > tp[1]) {
          out.add(new Config(tp[0], tp[1], BATCH, clients));
        }
      }
    }
    return out;
  }
}
