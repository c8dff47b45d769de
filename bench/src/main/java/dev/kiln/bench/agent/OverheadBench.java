package dev.kiln.bench.agent;

import ai.onnxruntime.OrtSession;
import dev.kiln.bench.Interleave;
import dev.kiln.bench.Stats;
import dev.kiln.compiler.ort.OrtSessions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What serving through the agent costs per request: {@code POST /invocations} on loopback against a
 * direct ONNX Runtime call on the same artifact payload with the same intra-op threads, interleaved
 * in one process. The agent runs twice, with dynamic batching off and at its default (8 rows, 2
 * ms), because a lone request waits out the batching delay; and without batching once more with a
 * .npy body, which tells the cost of JSON decoding apart from that of HTTP.
 */
public final class OverheadBench {
  /** Latencies of one model: direct engine call, agent without batching, agent with batching. */
  public record Row(
      String model, Stats direct, Stats agentNoBatch, Stats agentNpy, Stats agentBatch) {}

  private OverheadBench() {}

  public static List<Row> run(Path repo, List<String> models, int runs, int threads)
      throws Exception {
    Path work = Files.createTempDirectory("kiln-bench-overhead");
    List<Row> rows = new ArrayList<>();
    for (String relative : models) {
      BenchModel model = BenchModel.compile(repo, relative, work);
      // The agents start first: DJL creates ONNX Runtime's environment with its own threading
      // options and refuses one that already exists; the direct session then shares it.
      try (InProcessAgent noBatch =
              InProcessAgent.start(
                  AgentSetup.of(model, threads, 1), work.resolve(model.name() + "-b1"), "b1");
          InProcessAgent batch =
              InProcessAgent.start(
                  AgentSetup.of(model, threads, 8), work.resolve(model.name() + "-b8"), "b8");
          OrtSession direct =
              OrtSessions.open(model.artifact().payloadPath(), model.optLevel(), threads)) {
        Invoker a = new Invoker(noBatch.baseUrl(), model.requestJson(), null);
        Invoker b = new Invoker(batch.baseUrl(), model.requestJson(), null);
        Invoker npy = new Invoker(noBatch.baseUrl(), "application/x-npy", model.requestNpy(), null);
        List<Interleave.Timed> subjects =
            List.of(
                () -> OrtSessions.run(direct, model.inputs()), a::invoke, npy::invoke, b::invoke);
        Stats[] s = Interleave.run(subjects, runs);
        rows.add(new Row(model.name(), s[0], s[1], s[2], s[3]));
      }
    }
    return rows;
  }
}
