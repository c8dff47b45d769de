package dev.kiln.bench.agent;

import ai.onnxruntime.OrtSession;
import dev.kiln.agent.config.AgentConfig;
import dev.kiln.agent.service.DeviceJvm;
import dev.kiln.bench.Interleave;
import dev.kiln.bench.Stats;
import dev.kiln.compiler.ort.OrtSessions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * What serving through the agent costs per request: {@code POST /invocations} on loopback against a
 * direct ONNX Runtime call on the same artifact payload with the same intra-op threads, interleaved
 * in one process. The agent serves a JSON body and a .npy body (which tells the cost of parsing
 * text apart from that of HTTP) with dynamic batching off, and a JSON body once more with batching
 * on, which must not cost a lone client anything. {@code GET /ping} on the same agent is the floor:
 * a request that reaches the agent and is answered without decoding or an engine call.
 *
 * <p>The direct call is {@link EngineFloor}: inputs copied into native buffers allocated once,
 * outputs copied out. {@code OrtSessions.run}, the baseline until now, is timed beside it.
 *
 * <p>A third agent runs as a device runs it, in its own process with the device JVM options ({@link
 * OwnProcessAgent}), batching off, the same intra-op threads, and answers {@code /ping}, .npy and
 * JSON among the same turns. The in-process agents share this JVM with the client, the other
 * subjects' servers and their threads; a device's agent shares its process with no client, and the
 * two placements do not time the same (docs/benchmarks.md).
 *
 * <p>Requests go through {@link SocketInvoker}, one blocking socket per subject, so the figure is
 * the agent's and the kernel's, not a client library's. Every session has one intra-op thread, as
 * the goals state them: with more, each session's idle workers spin against whichever
 * session runs next on a small host, and the subjects would time each other.
 */
public final class OverheadBench {
  /** Intra-op threads of the direct session and of the agent's. */
  public static final int THREADS = 1;

  /**
   * Latencies of one model; {@code direct} is the engine floor ({@link EngineFloor}), {@code
   * directWithAllocation} the older baseline, {@code OrtSessions.run}.
   */
  public record Row(
      String model,
      int rounds,
      Stats direct,
      Stats directWithAllocation,
      Stats ping,
      Stats agentJson,
      Stats agentNpy,
      Stats agentBatchJson,
      Stats barePing,
      Stats bareNpy,
      Stats bareJson,
      Stats ownPing,
      Stats ownNpy,
      Stats ownJson) {}

  /**
   * {@code -Dkiln.bench.overheadSubjects=own}: time only the engine floor and the agent in its own
   * process. The other subjects' turns keep this JVM's thread busy with work that evicts the
   * caches, and that alone doubled the own-process agent's p50 (docs/benchmarks.md); with only the
   * floor between its turns, the agent is timed closer to how a client that sends nothing else sees
   * it. Rows of subjects not timed are null.
   */
  static final boolean ONLY_OWN_PROCESS =
      "own".equals(System.getProperty("kiln.bench.overheadSubjects"));

  /** The agent's {@code threads.http} default, which the bare Jetty floor copies. */
  private static final int HTTP_WORKERS =
      AgentConfig.Threads.defaultHttp(Runtime.getRuntime().availableProcessors());

  private OverheadBench() {}

  /**
   * @param runs timed rounds for the small models; a 224x224 model (tens of ms per call) gets a
   *     tenth of them, at least 50
   */
  public static List<Row> run(Path repo, List<String> models, int runs) throws Exception {
    Path work = Files.createTempDirectory("kiln-bench-overhead");
    List<Row> rows = new ArrayList<>();
    for (String relative : models) {
      BenchModel model = BenchModel.compile(repo, relative, work);
      int rounds = relative.startsWith("large/") ? Math.max(50, runs / 10) : runs;
      // The agents start first: DJL creates ONNX Runtime's environment with its own threading
      // options and refuses one that already exists; the direct session then shares it.
      try (InProcessAgent noBatch =
              InProcessAgent.start(
                  AgentSetup.of(model, THREADS, 1), work.resolve(model.name() + "-b1"), "b1");
          InProcessAgent batch =
              InProcessAgent.start(
                  AgentSetup.of(model, THREADS, 8), work.resolve(model.name() + "-b8"), "b8");
          OrtSession direct =
              OrtSessions.open(model.artifact().payloadPath(), model.optLevel(), THREADS);
          SocketInvoker ping = new SocketInvoker(noBatch.baseUrl(), "/ping", null, null, Map.of());
          SocketInvoker json = invocations(noBatch, "application/json", jsonBody(model));
          SocketInvoker npy = invocations(noBatch, "application/x-npy", model.requestNpy());
          SocketInvoker batched = invocations(batch, "application/json", jsonBody(model));
          OwnProcessAgent own =
              OwnProcessAgent.start(
                  repo,
                  model,
                  AgentSetup.of(model, THREADS, 1),
                  work.resolve(model.name() + "-own"),
                  DeviceJvm.DEFAULT_HEAP);
          SocketInvoker ownPing = new SocketInvoker(own.baseUrl(), "/ping", null, null, Map.of());
          SocketInvoker ownNpy =
              invocations(own.baseUrl(), "application/x-npy", model.requestNpy());
          SocketInvoker ownJson = invocations(own.baseUrl(), "application/json", jsonBody(model))) {
        EngineFloor floor = new EngineFloor(direct, model.inputs());
        // The floor server answers with the agent's own replies, so both write the same bytes.
        try (BareJetty bare = new BareJetty(HTTP_WORKERS, ping.invoke(), npy.invoke());
            SocketInvoker bareJson =
                new SocketInvoker(
                    bare.baseUrl(), "/invocations", "application/json", jsonBody(model), Map.of());
            SocketInvoker barePing =
                new SocketInvoker(bare.baseUrl(), "/ping", null, null, Map.of());
            SocketInvoker bareNpy =
                new SocketInvoker(
                    bare.baseUrl(),
                    "/invocations",
                    "application/x-npy",
                    model.requestNpy(),
                    Map.of())) {
          List<Interleave.Timed> all =
              List.of(
                  floor::call,
                  () -> OrtSessions.run(direct, model.inputs()),
                  ping::invoke,
                  json::invoke,
                  npy::invoke,
                  batched::invoke,
                  barePing::invoke,
                  bareNpy::invoke,
                  bareJson::invoke,
                  ownPing::invoke,
                  ownNpy::invoke,
                  ownJson::invoke);
          // The engine floor and the three own-process subjects, or every subject.
          int[] timed =
              ONLY_OWN_PROCESS
                  ? new int[] {0, 9, 10, 11}
                  : IntStream.range(0, all.size()).toArray();
          List<Interleave.Timed> subset = new ArrayList<>();
          for (int i : timed) {
            subset.add(all.get(i));
          }
          Stats[] some = Interleave.run(subset, rounds, Interleave.Warmup.untilCompiled(rounds));
          Stats[] s = new Stats[all.size()];
          for (int k = 0; k < timed.length; k++) {
            s[timed[k]] = some[k];
          }
          rows.add(
              new Row(
                  model.name(),
                  rounds,
                  s[0],
                  s[1],
                  s[2],
                  s[3],
                  s[4],
                  s[5],
                  s[6],
                  s[7],
                  s[8],
                  s[9],
                  s[10],
                  s[11]));
        }
      }
    }
    return rows;
  }

  private static byte[] jsonBody(BenchModel model) {
    return model.requestJson().getBytes(StandardCharsets.UTF_8);
  }

  private static SocketInvoker invocations(InProcessAgent agent, String type, byte[] body) {
    return invocations(agent.baseUrl(), type, body);
  }

  private static SocketInvoker invocations(String baseUrl, String type, byte[] body) {
    return new SocketInvoker(baseUrl, "/invocations", type, body, Map.of());
  }
}
