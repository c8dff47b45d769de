package dev.kiln.bench.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.agent.Agent;
import dev.kiln.agent.config.ConfigLoader;
import dev.kiln.agent.serving.ServedTrafficSink;
import dev.kiln.artifact.Json;
import dev.kiln.bench.Stats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Replica autoscaling against one fixed replica, both agents in this JVM on the same compiled
 * model, {@code .npy} bodies, the agent's own thread choice ({@code threads.inference} 0):
 *
 * <ul>
 *   <li>fixed: {@code threads.predictors} 1, so one engine session with every core's threads;
 *   <li>autoscaled: {@code autoscaling} 1..cores (target 1 in flight per replica, cooldowns 0 out
 *       and 60 in), so up to one session per core with one thread each.
 * </ul>
 *
 * Closed-loop clients at a fixed concurrency, passes in the order fixed, autoscaled, autoscaled,
 * fixed after a warm-up that lets the autoscaled agent reach its maximum; the result is the ratio
 * of requests per second. Then the cold start: a third agent with {@code minReplicas} 0 and {@code
 * idleSeconds} 1 is left to scale to zero, and the next request is timed by the client and by the
 * agent ({@code lastColdStartMs}), several rounds.
 */
public final class AutoscaleBench {
  /** The figures of one model. */
  public record Row(
      String model,
      int clients,
      double fixedPerSecond,
      double scaledPerSecond,
      int replicasReached,
      int peakEngineCalls,
      Stats coldStartAgentMs,
      Stats coldStartClientMs,
      Stats warmClientMs) {}

  private AutoscaleBench() {}

  public static List<Row> run(
      Path repo, List<String> models, int clients, double seconds, int coldRounds)
      throws Exception {
    Path work = Files.createTempDirectory("kiln-bench-autoscale");
    int cores = Runtime.getRuntime().availableProcessors();
    List<Row> rows = new ArrayList<>();
    for (String relative : models) {
      BenchModel model = BenchModel.compile(repo, relative, work);
      Map<String, Object> scaled =
          Map.of(
              "minReplicas", 1,
              "maxReplicas", cores,
              "targetInFlightPerReplica", 1,
              "scaleOutCooldownS", 0,
              "scaleInCooldownS", 60);
      try (Agent fixed = start(model, work.resolve(model.name() + "-fixed"), null, 1);
          Agent auto = start(model, work.resolve(model.name() + "-auto"), scaled, 0)) {
        Agent[] agents = {fixed, auto};
        ThroughputBench.closedLoop(invokers(fixed, model), clients, Math.min(2.0, seconds / 2));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (replicas(auto, model) < cores && System.nanoTime() < deadline) {
          ThroughputBench.closedLoop(invokers(auto, model), clients, 1.0);
        }
        long[] done = new long[2];
        double[] secs = new double[2];
        for (int j : new int[] {0, 1, 1, 0}) {
          long t = System.nanoTime();
          done[j] += ThroughputBench.closedLoop(invokers(agents[j], model), clients, seconds / 2);
          secs[j] += (System.nanoTime() - t) / 1e9;
        }
        Map<String, Object> status = versionStatus(auto, model);
        int reached = ((Number) status.get("replicas")).intValue();
        int peak = ((Number) status.get("peakConcurrentEngineCalls")).intValue();
        double[][] cold = coldStarts(model, work, coldRounds);
        Row row =
            new Row(
                model.name(),
                clients,
                done[0] / secs[0],
                done[1] / secs[1],
                reached,
                peak,
                Stats.of(cold[0]),
                Stats.of(cold[1]),
                Stats.of(cold[2]));
        System.err.println(row);
        rows.add(row);
      }
    }
    return rows;
  }

  /** Agent-measured cold start, client-measured first request, and a warm request, per round. */
  private static double[][] coldStarts(BenchModel model, Path work, int rounds) throws Exception {
    Map<String, Object> toZero =
        Map.of("minReplicas", 0, "maxReplicas", 1, "idleSeconds", 1, "coldStartTimeoutS", 120);
    double[][] out = new double[3][rounds];
    try (Agent lazy = start(model, work.resolve(model.name() + "-lazy"), toZero, 0)) {
      Invoker invoker = new Invoker(baseUrl(lazy), "application/x-npy", model.requestNpy(), null);
      for (int w = 0; w < 20; w++) {
        invoker.invoke();
      }
      for (int r = 0; r < rounds; r++) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!"SCALED_TO_ZERO".equals(versionStatus(lazy, model).get("state"))) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(model.name() + " did not scale to zero in 30 s");
          }
          TimeUnit.MILLISECONDS.sleep(50);
        }
        long t = System.nanoTime();
        invoker.invoke();
        out[1][r] = (System.nanoTime() - t) / 1e6;
        out[0][r] = ((Number) versionStatus(lazy, model).get("lastColdStartMs")).doubleValue();
        t = System.nanoTime();
        invoker.invoke();
        out[2][r] = (System.nanoTime() - t) / 1e6;
      }
    }
    return out;
  }

  private static java.util.function.Function<java.util.concurrent.Executor, Invoker> invokers(
      Agent agent, BenchModel model) {
    return io -> new Invoker(baseUrl(agent), "application/x-npy", model.requestNpy(), io);
  }

  private static String baseUrl(Agent agent) {
    return "http://127.0.0.1:" + agent.port();
  }

  private static int replicas(Agent agent, BenchModel model) {
    return ((Number) versionStatus(agent, model).get("replicas")).intValue();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> versionStatus(Agent agent, BenchModel model) {
    Map<String, Object> described =
        agent.modelManager().autoscaler().describe(model.name()).orElseThrow();
    Object version = Json.MAPPER.convertValue(described.get("versions"), Map.class);
    Map<String, Object> versions = (Map<String, Object>) version;
    return (Map<String, Object>) versions.values().iterator().next();
  }

  /**
   * @param autoscaling the model's {@code autoscaling.models} entry, or null for fixed predictors
   */
  private static Agent start(
      BenchModel model, Path dir, Map<String, Object> autoscaling, int predictors)
      throws Exception {
    ObjectNode config =
        (ObjectNode)
            Json.MAPPER.readTree(
                AgentSetup.of(model, 0, 1).withHttpThreads(64).json(dir, model.name()));
    if (predictors > 0) {
      ((ObjectNode) config.get("threads")).put("predictors", predictors);
    }
    if (autoscaling != null) {
      config
          .putObject("autoscaling")
          .putObject("models")
          .set(model.name(), Json.MAPPER.valueToTree(autoscaling));
    }
    return Agent.start(
        ConfigLoader.parse(Json.MAPPER.writeValueAsString(config), dir), ServedTrafficSink.NOOP);
  }

  public static void print(List<Row> rows) {
    System.out.println(
        "| model | clients | req/s, 1 replica fixed | req/s, autoscaled | ratio | replicas reached"
            + " | peak concurrent engine calls |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|");
    for (Row r : rows) {
      System.out.printf(
          "| %s | %d | %.1f | %.1f | %.2fx | %d | %d |%n",
          r.model(),
          r.clients(),
          r.fixedPerSecond(),
          r.scaledPerSecond(),
          r.scaledPerSecond() / r.fixedPerSecond(),
          r.replicasReached(),
          r.peakEngineCalls());
    }
    System.out.println();
    System.out.println(
        "| model | cold start p50 ms (agent, load) | first request p50 ms (client) | warm request"
            + " p50 ms (client) | rounds |");
    System.out.println("|---|---:|---:|---:|---:|");
    for (Row r : rows) {
      System.out.printf(
          "| %s | %.1f | %.1f | %.1f | %d |%n",
          r.model(),
          r.coldStartAgentMs().p50(),
          r.coldStartClientMs().p50(),
          r.warmClientMs().p50(),
          r.coldStartAgentMs().n());
    }
  }
}
