package dev.kiln.bench.agent;

import dev.kiln.bench.Stats;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Dynamic batching on ({@code maxBatchSize} 32 unless {@code kiln.bench.batchOn} says otherwise)
 * against off (1), both agents in this JVM with the agent's own thread defaults ({@code
 * threads.inference} 0, default predictors), for each body form the agent takes on {@code
 * /invocations}: JSON and .npy. A 224x224 JSON body costs the agent several milliseconds to decode
 * on its HTTP threads, which batching cannot share; .npy shows what batching does when the engine
 * is most of the work. Two questions, the two goals: what a lone client pays for batching
 * (latency p50, requests alternated between the two agents in blocks of 20), and what 32
 * closed-loop clients gain (requests per second, passes in the order off, on, on, off). HTTP
 * threads are raised to 32 on both, so a batch can hold every waiting client. Since 2026-12-03 all
 * requests go over raw sockets ({@link SocketInvoker}, {@link SocketLoad}); before, the JDK {@code
 * HttpClient}, whose own thread handoffs shared the 2 cores with the agents.
 */
public final class BatchingBench {
  /** One model's figures for one body form. */
  public record Row(
      String model,
      String body,
      Stats loneOffMs,
      Stats loneOnMs,
      int clients,
      double manyOff,
      double manyOn) {}

  /** One model's engine alone at each batch size ({@link BatchCeiling}). */
  public record Ceiling(String model, int threads, List<BatchCeiling.Point> points) {}

  /** The agents' rows and each model's ceiling. */
  public record Result(List<Row> rows, List<Ceiling> ceilings) {}

  /**
   * Intra-op threads the ceiling is measured with: one, as each of the agent's predictors has by
   * default on a 2-core host ({@code threads.inference} 0 gives 2 predictors x 1 thread there).
   */
  private static final int PREDICTOR_THREADS = 1;

  /** A request body as sent: its label in the table, content type and bytes. */
  private record Body(String label, String contentType, byte[] bytes) {}

  /** maxBatchSize with batching on; BENCH_JAVA_OPTS=-Dkiln.bench.batchOn=8 tries another. */
  private static final int ON = Integer.getInteger("kiln.bench.batchOn", 32);

  private static final int BLOCK = 20;

  private BatchingBench() {}

  public static Result run(Path repo, List<String> models, int loneRequests, double seconds)
      throws Exception {
    Path work = Files.createTempDirectory("kiln-bench-batching");
    int clients = 32;
    List<Row> rows = new ArrayList<>();
    List<Ceiling> ceilings = new ArrayList<>();
    for (String relative : models) {
      BenchModel model = BenchModel.compile(repo, relative, work);
      List<Body> bodies =
          List.of(
              new Body(
                  "JSON", "application/json", model.requestJson().getBytes(StandardCharsets.UTF_8)),
              new Body(".npy", "application/x-npy", model.requestNpy()));
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
        for (Body body : bodies) {
          for (InProcessAgent agent : agents) {
            load(agent, body).run(clients, Math.min(2.0, seconds / 4));
          }
        }
        List<double[][]> lone = new ArrayList<>();
        for (Body body : bodies) {
          lone.add(lone(agents, body, loneRequests));
        }
        for (int b = 0; b < bodies.size(); b++) {
          long[] done = new long[2];
          double[] secs = new double[2];
          for (int j : new int[] {0, 1, 1, 0}) {
            SocketLoad.Outcome o = load(agents[j], bodies.get(b)).run(clients, seconds / 2);
            done[j] += o.requests();
            secs[j] += o.seconds();
          }
          Row row =
              new Row(
                  model.name(),
                  bodies.get(b).label(),
                  Stats.of(lone.get(b)[0]),
                  Stats.of(lone.get(b)[1]),
                  clients,
                  done[0] / secs[0],
                  done[1] / secs[1]);
          System.err.println(row);
          rows.add(row);
        }
        // With the agents idle, and after them: ONNX Runtime's environment is theirs to create.
        ceilings.add(
            new Ceiling(
                model.name(),
                PREDICTOR_THREADS,
                BatchCeiling.measure(
                    model,
                    batchSizes(),
                    PREDICTOR_THREADS,
                    relative.startsWith("large/") ? 10 : 300)));
      }
    }
    return new Result(rows, ceilings);
  }

  /** 1, 2, 4, ... up to the batching agent's maxBatchSize. */
  private static int[] batchSizes() {
    List<Integer> sizes = new ArrayList<>();
    for (int rows = 1; rows <= ON; rows *= 2) {
      sizes.add(rows);
    }
    return sizes.stream().mapToInt(Integer::intValue).toArray();
  }

  private static SocketLoad load(InProcessAgent agent, Body body) {
    return SocketLoad.invocations(agent.baseUrl(), body.contentType(), body.bytes());
  }

  /** One client, one request at a time, alternating between the agents in blocks. */
  private static double[][] lone(InProcessAgent[] agents, Body body, int requests)
      throws Exception {
    SocketInvoker[] invokers = new SocketInvoker[agents.length];
    try {
      for (int j = 0; j < agents.length; j++) {
        invokers[j] = load(agents[j], body).invoker();
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
    } finally {
      for (SocketInvoker invoker : invokers) {
        if (invoker != null) {
          invoker.close();
        }
      }
    }
  }
}
