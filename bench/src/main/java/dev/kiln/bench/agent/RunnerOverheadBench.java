package dev.kiln.bench.agent;

import dev.kiln.agent.runtime.DjlRunnerFactory;
import dev.kiln.agent.runtime.EngineRunnerFactory;
import dev.kiln.agent.runtime.ModelRunner;
import dev.kiln.agent.runtime.RunnerSpec;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.TensorData;
import dev.kiln.bench.Interleave;
import dev.kiln.bench.Stats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the engine seam costs per request, below HTTP: {@code ModelRunner.run} on the same compiled
 * .onnx payload (x86_64, manifest session options, same intra-op threads) through DJL's OnnxRuntime
 * engine and through the agent's direct ONNX Runtime runner, interleaved in one process. Both
 * include building the input tensors from Kiln's {@link Tensor} and copying the outputs back; the
 * difference is DJL's NDManager/NDList layer. This decided which runner the agent uses for .onnx
 * payloads.
 */
public final class RunnerOverheadBench {
  /** Latencies of one model: DJL runner, direct runner. */
  public record Row(String model, Stats djl, Stats direct) {}

  private RunnerOverheadBench() {}

  public static List<Row> run(Path repo, List<String> models, int runs, int threads)
      throws Exception {
    Path work = Files.createTempDirectory("kiln-bench-runner");
    List<Row> rows = new ArrayList<>();
    for (String relative : models) {
      BenchModel model = BenchModel.compile(repo, relative, work);
      // DJL opens .onnx only: run both on the payload the .onnx variant of x86_64 ships.
      BenchModel onnx = BenchModel.compile(repo, relative, work, ModelLoadBench.onnxVariantOfX86());
      RunnerSpec spec =
          RunnerSpec.fromManifest(
              onnx.artifact().manifest(), onnx.artifact().payloadPath(), threads, 1);
      Map<String, Tensor> input = inputs(model);
      try (ModelRunner djl = new DjlRunnerFactory(threads).load(spec);
          ModelRunner direct = new EngineRunnerFactory(threads).load(spec)) {
        Stats[] s = Interleave.run(List.of(() -> djl.run(input), () -> direct.run(input)), runs);
        rows.add(new Row(model.name(), s[0], s[1]));
      }
    }
    return rows;
  }

  static Map<String, Tensor> inputs(BenchModel model) throws java.io.IOException {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, TensorData> e : model.artifact().sample().inputs().entrySet()) {
      TensorData t = e.getValue();
      out.put(
          e.getKey(),
          t.dtype().equals("int64")
              ? Tensor.ofLongs(t.shapeArray(), t.longs())
              : Tensor.ofFloats(t.shapeArray(), t.floats()));
    }
    return out;
  }

  public static void print(List<Row> rows) {
    System.out.println(
        "| model | DJL runner p50 ms | direct runner p50 ms | p50 direct / DJL | DJL p99 ms"
            + " | direct p99 ms |");
    System.out.println("|---|---:|---:|---:|---:|---:|");
    for (Row r : rows) {
      System.out.printf(
          "| %s | %.3f | %.3f | %.2fx | %.3f | %.3f |%n",
          r.model(),
          r.djl().p50(),
          r.direct().p50(),
          r.direct().p50() / r.djl().p50(),
          r.djl().p99(),
          r.direct().p99());
    }
    if (!rows.isEmpty()) {
      System.out.printf("%n%d interleaved runs per runner after warm-up.%n", rows.get(0).djl().n());
    }
  }
}
