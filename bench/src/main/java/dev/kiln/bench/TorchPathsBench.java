package dev.kiln.bench;

import dev.kiln.agent.runtime.DjlRunnerFactory;
import dev.kiln.agent.runtime.ModelRunner;
import dev.kiln.agent.runtime.RunnerSpec;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Artifact;
import dev.kiln.artifact.TensorData;
import dev.kiln.compiler.pipeline.CompileRequest;
import dev.kiln.compiler.pipeline.Compiler;
import dev.kiln.compiler.pipeline.ProgressListener;
import dev.kiln.profile.DeviceProfiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The two TorchScript paths of kiln compile, measured as a device runs them: one model compiled
 * with {@code --engine pytorch} (libtorch through DJL) and with {@code --engine onnxruntime}
 * (converted, optimized ONNX), both loaded by the agent's own runtime and run interleaved on the
 * same input.
 */
public final class TorchPathsBench {
  record Row(String model, Stats pytorch, Stats onnx, double loadPytorchMs, double loadOnnxMs) {}

  private TorchPathsBench() {}

  public static List<Row> run(Path repo, List<String> models, int runs, int threads)
      throws Exception {
    // DJL refuses to start ONNX Runtime once the compiler has started it directly: start it first.
    ai.djl.engine.Engine.getEngine("OnnxRuntime");
    List<Row> rows = new ArrayList<>();
    Path work = Files.createTempDirectory("kiln-bench-torch");
    Compiler compiler = new Compiler(DeviceProfiles.fromClasspath(), ProgressListener.SILENT);
    for (String model : models) {
      Path source = repo.resolve("samples/models").resolve(model);
      String name = source.getFileName().toString().replace(".pt", "");
      Map<String, Artifact> artifacts = new LinkedHashMap<>();
      for (String engine : List.of("pytorch", "onnxruntime")) {
        Path out = work.resolve(name + "-" + engine + ".kiln");
        CompileRequest request =
            CompileRequest.of(source, "x86_64", out)
                .withEngine(engine)
                .withInputShapes(Map.of("input", new long[] {1, 3, 224, 224}))
                .withSkipBenchmark(true)
                .withForce(true);
        compiler.compile(request);
        artifacts.put(engine, Artifact.unpack(out, work.resolve(name + "-" + engine)));
      }
      Map<String, Tensor> inputs = new LinkedHashMap<>();
      for (Map.Entry<String, TensorData> in :
          artifacts.get("pytorch").sample().inputs().entrySet()) {
        inputs.put(
            in.getKey(), Tensor.ofFloats(in.getValue().shapeArray(), in.getValue().floats()));
      }
      DjlRunnerFactory factory = new DjlRunnerFactory(threads);
      long t0 = System.nanoTime();
      try (ModelRunner torch = factory.load(spec(artifacts.get("pytorch"), threads))) {
        double loadTorch = (System.nanoTime() - t0) / 1e6;
        long t1 = System.nanoTime();
        try (ModelRunner onnx = factory.load(spec(artifacts.get("onnxruntime"), threads))) {
          double loadOnnx = (System.nanoTime() - t1) / 1e6;
          for (int i = 0; i < 5; i++) {
            torch.run(inputs);
            onnx.run(inputs);
          }
          double[] torchTimes = new double[runs];
          double[] onnxTimes = new double[runs];
          for (int i = 0; i < runs; i++) {
            boolean torchFirst = i % 2 == 0;
            for (int k = 0; k < 2; k++) {
              boolean runTorch = (k == 0) == torchFirst;
              long t = System.nanoTime();
              (runTorch ? torch : onnx).run(inputs);
              (runTorch ? torchTimes : onnxTimes)[i] = (System.nanoTime() - t) / 1e6;
            }
          }
          rows.add(new Row(name, Stats.of(torchTimes), Stats.of(onnxTimes), loadTorch, loadOnnx));
        }
      }
    }
    return rows;
  }

  private static RunnerSpec spec(Artifact artifact, int threads) {
    return RunnerSpec.fromManifest(artifact.manifest(), artifact.payloadPath(), threads, 1);
  }

  static void print(List<Row> rows) {
    System.out.println(
        "| model | PyTorch-engine artifact p50 ms | ONNX-converted artifact p50 ms | p50 ratio (ONNX/PyTorch)"
            + " | PyTorch p95 ms | ONNX p95 ms | p95 ratio |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|");
    for (Row r : rows) {
      System.out.printf(
          "| %s | %.2f | %.2f | %.2fx | %.2f | %.2f | %.2fx |%n",
          r.model(),
          r.pytorch().p50(),
          r.onnx().p50(),
          r.onnx().p50() / r.pytorch().p50(),
          r.pytorch().p95(),
          r.onnx().p95(),
          r.onnx().p95() / r.pytorch().p95());
    }
  }
}
