package dev.kiln.bench.peer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.artifact.Json;
import dev.kiln.bench.Stats;
import dev.kiln.bench.agent.AgentSetup;
import dev.kiln.bench.agent.BenchModel;
import dev.kiln.bench.agent.DeviceJvmBench;
import dev.kiln.bench.agent.OwnProcessAgent;
import dev.kiln.bench.agent.SocketInvoker;
import dev.kiln.bench.agent.SocketLoad;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The agent against the seeds' reference container ({@link ReferenceContainer}): the same model
 * (compiled by Kiln for x86_64 from the ONNX file, and its TorchScript twin for the reference), the
 * same JSON body ({@link BenchModel#requestJson()}), the same closed-loop raw-socket client ({@link
 * SocketLoad}). The agent runs as its own {@code kiln-agent run} process on its own classpath with
 * the device JVM options and its own defaults (batching off, {@code threads.inference} 0: 2
 * predictors x 1 intra-op thread on 2 cores), as a device runs it. At each connection count the two
 * take turns in the order agent, reference, reference, agent, half the time each, after a warm-up
 * of both; every request's latency is kept for p50 and p99. Before timing, one request to each
 * checks that they answer the same within {@link #TOLERANCE}. The agent's heap is {@link #HEAP}.
 */
public final class PeerBench {
  /**
   * Largest difference allowed between the agent's and the reference's outputs, as a share of the
   * reference's largest magnitude: the sample mobilenet_v2 has random weights and answers values
   * near 1e-9, where any absolute tolerance would pass anything.
   */
  static final double TOLERANCE = 1e-3;

  /**
   * The agent's heap cap. The device default (64m) keeps half of it, 30 MiB, for request bodies at
   * 4x a JSON body's size, so it admits only four 1.8 MB mobilenet_v2 JSON bodies at once and
   * answers the rest 503 OVERLOADED; 128m ({@code KILN_AGENT_HEAP=128m}, as docs/agent.md advises
   * for large JSON bodies) admits eight. The rest of the device options stay.
   */
  static final String HEAP = System.getProperty("kiln.bench.peerHeap", "128m");

  static final int[] CONNECTIONS = {1, 8};

  /** One server's figures at one connection count. */
  public record Side(double reqPerSecond, Stats latency) {}

  /**
   * @param goal the least agent/reference req/s ratio for this row; NaN when it sets none
   */
  public record Row(String model, int connections, Side agent, Side reference, double goal) {
    public double ratio() {
      return agent.reqPerSecond() / reference.reqPerSecond();
    }
  }

  /** The answer check of one model: body size and largest |agent - reference| over the outputs. */
  public record Check(
      String model, int bodyBytes, int values, double maxAbsDiff, double maxAbsReference) {}

  /**
   * @param skipped why nothing ran (reference missing); null when it ran
   */
  public record Result(
      List<Row> rows, List<Check> checks, String skipped, String loadBefore, String loadAfter) {}

  private PeerBench() {}

  public static Result run(Path repo, List<String> models, double seconds) throws Exception {
    Optional<String> missing = ReferenceContainer.missing();
    if (missing.isPresent()) {
      return new Result(List.of(), List.of(), missing.get(), "", "");
    }
    String loadBefore = DeviceJvmBench.loadAverage();
    Path work = Files.createTempDirectory("kiln-bench-peer");
    List<Row> rows = new ArrayList<>();
    List<Check> checks = new ArrayList<>();
    for (String relative : models) {
      Path torchScript =
          repo.resolve("samples/models").resolve(relative.replaceAll("\\.onnx$", ".pt"));
      if (!Files.isRegularFile(torchScript)) {
        throw new IllegalStateException("no TorchScript twin of " + relative + ": " + torchScript);
      }
      BenchModel model = BenchModel.compile(repo, relative, work);
      Path dir = Files.createDirectories(work.resolve(model.name()));
      byte[] body = model.requestJson().getBytes(StandardCharsets.UTF_8);
      try (OwnProcessAgent agent = startAgent(model, dir, repo);
          ReferenceContainer reference =
              ReferenceContainer.start(repo, torchScript, dir.resolve("gunicorn.log"))) {
        SocketLoad[] loads = {
          SocketLoad.invocations(agent.baseUrl(), "application/json", body),
          SocketLoad.invocations(reference.baseUrl(), "application/json", body)
        };
        Check check = check(model.name(), body.length, loads[0], loads[1]);
        System.err.println(check);
        checks.add(check);
        for (SocketLoad load : loads) {
          load.run(CONNECTIONS[CONNECTIONS.length - 1], Math.min(2.0, seconds / 2));
        }
        for (int connections : CONNECTIONS) {
          Row row = measure(model.name(), loads, connections, seconds);
          System.err.println(row);
          rows.add(row);
        }
      }
    }
    return new Result(rows, checks, null, loadBefore, DeviceJvmBench.loadAverage());
  }

  private static OwnProcessAgent startAgent(BenchModel model, Path dir, Path repo)
      throws Exception {
    AgentSetup setup =
        AgentSetup.of(
                model,
                Integer.getInteger("kiln.bench.peerThreads", 0),
                Integer.getInteger("kiln.bench.peerBatch", 1))
            .withHttpThreads(Integer.getInteger("kiln.bench.peerHttpThreads", 0));
    return OwnProcessAgent.start(repo, model, setup, dir, HEAP);
  }

  /** Agent and reference in the order A R R A, half of {@code seconds} each. */
  private static Row measure(String model, SocketLoad[] loads, int connections, double seconds)
      throws Exception {
    long[] done = new long[2];
    double[] secs = new double[2];
    List<List<double[]>> millis = List.of(new ArrayList<>(), new ArrayList<>());
    for (int j : new int[] {0, 1, 1, 0}) {
      SocketLoad.Outcome o = loads[j].run(connections, seconds / 2);
      done[j] += o.requests();
      secs[j] += o.seconds();
      millis.get(j).add(o.millis());
    }
    Side[] sides = new Side[2];
    for (int j = 0; j < 2; j++) {
      double[] all = millis.get(j).stream().flatMapToDouble(Arrays::stream).toArray();
      sides[j] = new Side(done[j] / secs[j], Stats.of(all));
    }
    return new Row(model, connections, sides[0], sides[1], goal(model, connections));
  }

  /** The goals: 5x at 8 connections on the CNN, 3x at 1 connection on mobilenet_v2. */
  static double goal(String model, int connections) {
    if (model.equals("cnn") && connections == 8) {
      return 5.0;
    }
    if (model.equals("mobilenet_v2") && connections == 1) {
      return 3.0;
    }
    return Double.NaN;
  }

  /**
   * One request to each; the agent answers {@code {"outputs": {"name": nested}}}, the reference
   * {@code {"outputs": [nested]}}, both in the model's output order. Throws when they disagree by
   * more than {@link #TOLERANCE}: a speed ratio between different answers means nothing.
   */
  private static Check check(String model, int bodyBytes, SocketLoad agent, SocketLoad reference)
      throws Exception {
    double[] a;
    double[] r;
    try (SocketInvoker ai = agent.invoker();
        SocketInvoker ri = reference.invoker()) {
      a = flatten(Json.MAPPER.readTree(ai.invoke()).get("outputs"));
      r = flatten(Json.MAPPER.readTree(ri.invoke()).get("outputs"));
    }
    if (a.length != r.length || a.length == 0) {
      throw new IllegalStateException(
          model + ": the agent answered " + a.length + " values, the reference " + r.length);
    }
    double max = 0;
    double scale = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - r[i]));
      scale = Math.max(scale, Math.abs(r[i]));
    }
    if (!(scale > 0 && max <= TOLERANCE * scale)) {
      throw new IllegalStateException(
          model
              + ": agent and reference outputs differ by up to "
              + max
              + ", over "
              + TOLERANCE
              + " x the reference's largest |output| "
              + scale);
    }
    return new Check(model, bodyBytes, a.length, max, scale);
  }

  /** Every number under {@code node}, depth first, in document order. */
  private static double[] flatten(JsonNode node) {
    List<Double> values = new ArrayList<>();
    collect(node, values);
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static void collect(JsonNode node, List<Double> into) {
    if (node.isNumber()) {
      into.add(node.doubleValue());
    } else {
      node.elements().forEachRemaining(child -> collect(child, into));
    }
  }
}
