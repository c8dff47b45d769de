package dev.kiln.bench.agent;

import dev.kiln.bench.Stats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Dynamic batching on ({@code maxBatchSize} 32 unless {@code kiln.bench.batchOn} says otherwise)
 * against off (1), both agents in this JVM with the agent's own thread defaults ({@code
 * threads.inference} 0, default predictors). Two questions, the two goals: what a lone
 * client pays for batching (latency p50, requests alternated between the two agents in blocks of
 * 20), and what 32 closed-loop clients gain (requests per second, passes in the order off, on, on,
 * off). HTTP threads are raised to 32 on both, so a batch can hold every waiting client.
 */
public final class BatchingBench {
  /** One model's figures. */
  public record Row(
      String model, Stats loneOffMs, Stats loneOnMs, int clients, double manyOff, double manyOn) {}

  /** maxBatchSize with batching on; BENCH_JAVA_OPTS=-Dkiln.bench.batchOn=8 tries another. */
  private static final int ON = Integer.getInteger("kiln.bench.batchOn", 32);

  private static final int BLOCK = 20;

  private BatchingBench() {}

  public static List<Row> run(Path repo, List<String> models, int loneRequests, double seconds)
      throws Exception {
    Path work = Files.createTempDirectory("kiln-bench-batching");
    int clients = 32;
    List<Row> rows = new ArrayList<>();
    for (String relative : models) {
      BenchModel model = BenchModel.compile(repo, relative, work);
      try (InProcessAgent off =
              InProcessAgent.start(
                  AgentSetup.of(model, 0, 1).withHttpThreads(clients),
                  work.resolve(model.name() + "-off"),
                  "off");
          InProcessAgent on =
              InProcessAgent.start(
                  AgentSetup.of(model, 0, ON).withHttpThreads(clients),
                  work.resolve(model.name() + "-on"),
                  "on")) {
        InProcessAgent[] agents = {off, on};
        for (InProcessAgent agent : agents) {
          ThroughputBench.closedLoop(agent, model, clients, Math.min(2.0, seconds / 2));
        }
        double[][] lone = lone(agents, model, loneRequests);
        long[] done = new long[2];
        double[] secs = new double[2];
        for (int j : new int[] {0, 1, 1, 0}) {
          long t = System.nanoTime();
          done[j] += ThroughputBench.closedLoop(agents[j], model, clients, seconds / 2);
          secs[j] += (System.nanoTime() - t) / 1e9;
        }
        Row row =
            new Row(
                model.name(),
                Stats.of(lone[0]),
                Stats.of(lone[1]),
                clients,
                done[0] / secs[0],
                done[1] / secs[1]);
        System.err.println(row);
        rows.add(row);
      }
    }
    return rows;
  }

  /** One client, one request at a time, alternating between the agents in blocks. */
  private static double[][] lone(InProcessAgent[] agents, BenchModel model, int requests)
      throws Exception {
    Invoker[] invokers = new Invoker[agents.length];
    for (int j = 0; j < agents.length; j++) {
      invokers[j] = new Invoker(agents[j].baseUrl(), model.requestJson(), null);
      for (int w = 0; w < 200; w++) {
        invokers[j].invoke();
      }
    }
    double[][] millis = new double[agents.length][requests];
    for (int start = 0; start < requests; start += BLOCK) {
      // Alternate which agent goes first, so neither always runs right after the other's block.
      boolean flip = (start / BLOCK) % 2 == 1;
      for (int k = 0; k < agents.length; k++) {
        int j = flip ? agents.length - 1 - k : k;
        for (int i = start; i < Math.min(requests, start + BLOCK); i++) {
          long t = System.nanoTime();
          invokers[j].invoke();
          millis[j][i] = (System.nanoTime() - t) / 1e6;
        }
      }
    }
    return millis;
  }
}
