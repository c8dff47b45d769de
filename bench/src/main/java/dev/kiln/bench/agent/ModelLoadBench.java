package dev.kiln.bench.agent;

import dev.kiln.agent.runtime.EngineRunnerFactory;
import dev.kiln.agent.runtime.ModelRunner;
import dev.kiln.agent.runtime.RunnerSpec;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Manifest;
import dev.kiln.bench.Stats;
import dev.kiln.profile.DeviceProfile;
import dev.kiln.profile.DeviceProfiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Load time on the agent's own path ({@link EngineRunnerFactory#load}, as the model loader calls
 * it), and what each load costs afterwards, for three subjects:
 *
 * <ul>
 *   <li>the compiled x86_64 artifact's payload, ORT format, memory-mapped, at the manifest's
 *       session options (what the compiler ships for host-ISA CPU targets);
 *   <li>the source .onnx at ONNX Runtime's defaults (ALL_OPT at every load);
 *   <li>the same model compiled as .onnx (a copy of the x86_64 profile with {@code ortFormat}
 *       false) at its manifest's options (NO_OPT), what the agent loaded before ORT format.
 * </ul>
 *
 * Loads are interleaved, rotating the order each round, after two untimed rounds. After each load:
 * the first inference (which, for the mapped payload, pages the weights in) and the p50 of 8 more,
 * so a faster load that costs steady state shows. Each model is closed before the next load.
 */
public final class ModelLoadBench {
  private static final int INFERENCES = 8;

  /** One subject's figures in ms, one sample per round. */
  public record Subject(String name, Stats load, Stats firstInference, Stats inference) {}

  /** One model; subjects in the order above. */
  public record Row(String model, long sourceBytes, long ortBytes, List<Subject> subjects) {}

  private ModelLoadBench() {}

  public static List<Row> run(Path repo, List<String> models, int rounds, int threads)
      throws Exception {
    Path work = Files.createTempDirectory("kiln-bench-load");
    EngineRunnerFactory factory = new EngineRunnerFactory(threads);
    DeviceProfile onnxProfile = onnxVariantOfX86();
    List<Row> rows = new ArrayList<>();
    for (String relative : models) {
      Path source = repo.resolve("samples/models").resolve(relative);
      if (!Files.isRegularFile(source)) {
        System.out.println("skipped " + relative + ": not generated (needs python3-torch)");
        continue;
      }
      BenchModel ort = BenchModel.compile(repo, relative, work);
      BenchModel onnx = BenchModel.compile(repo, relative, work, onnxProfile);
      Manifest m = ort.artifact().manifest();
      if (!m.payload().format().equals("ort")) {
        throw new IllegalStateException("x86_64 payload is " + m.payload().format() + ", not ort");
      }
      RunnerSpec compiled = RunnerSpec.fromManifest(m, ort.artifact().payloadPath(), threads, 1);
      RunnerSpec compiledOnnx =
          RunnerSpec.fromManifest(
              onnx.artifact().manifest(), onnx.artifact().payloadPath(), threads, 1);
      RunnerSpec sourceSpec = atDefaults(compiledOnnx, source);
      List<String> names =
          List.of(
              "compiled .ort, mapped, " + level(compiled),
              "source .onnx, ORT defaults",
              "compiled .onnx, " + level(compiledOnnx));
      List<RunnerSpec> subjects = List.of(compiled, sourceSpec, compiledOnnx);
      Map<String, Tensor> input = RunnerOverheadBench.inputs(ort);
      double[][][] times = new double[subjects.size()][3][rounds];
      // Two untimed rounds: class loading, the native library and the page cache.
      for (int i = -2; i < rounds; i++) {
        for (int k = 0; k < subjects.size(); k++) {
          int j = Math.floorMod(i + k, subjects.size());
          double[] t = loadAndRun(factory, subjects.get(j), input);
          if (i >= 0) {
            for (int f = 0; f < 3; f++) {
              times[j][f][i] = t[f];
            }
          }
        }
      }
      List<Subject> measured = new ArrayList<>();
      for (int j = 0; j < subjects.size(); j++) {
        measured.add(
            new Subject(
                names.get(j), Stats.of(times[j][0]), Stats.of(times[j][1]), Stats.of(times[j][2])));
      }
      rows.add(new Row(ort.name(), Files.size(source), m.payload().bytes(), measured));
    }
    return rows;
  }

  /** Load ms, first inference ms, p50 ms of the next {@link #INFERENCES}. */
  private static double[] loadAndRun(
      EngineRunnerFactory factory, RunnerSpec spec, Map<String, Tensor> input) {
    long t0 = System.nanoTime();
    try (ModelRunner runner = factory.load(spec)) {
      double load = (System.nanoTime() - t0) / 1e6;
      long t1 = System.nanoTime();
      runner.run(input);
      double first = (System.nanoTime() - t1) / 1e6;
      double[] runs = new double[INFERENCES];
      for (int r = 0; r < INFERENCES; r++) {
        long t = System.nanoTime();
        runner.run(input);
        runs[r] = (System.nanoTime() - t) / 1e6;
      }
      Arrays.sort(runs);
      return new double[] {load, first, runs[INFERENCES / 2]};
    }
  }

  private static String level(RunnerSpec spec) {
    return spec.sessionOptions().getOrDefault("optLevel", "ORT defaults");
  }

  /** The x86_64 profile as it was before ORT format: the compiler then ships .onnx. */
  static DeviceProfile onnxVariantOfX86() {
    DeviceProfile p = DeviceProfiles.fromClasspath().get("linux-x86_64");
    DeviceProfile.RuntimeSettings r = p.runtime();
    return new DeviceProfile(
        p.name() + "-onnx",
        p.description(),
        p.arch(),
        p.generic(),
        p.cpu(),
        p.memoryMb(),
        p.accelerator(),
        new DeviceProfile.RuntimeSettings(
            r.preferredEngine(), r.executionProviders(), r.threads(), r.precision(), false),
        p.inputSizes());
  }

  /** The same threads and providers, ONNX Runtime's default session options, another file. */
  private static RunnerSpec atDefaults(RunnerSpec spec, Path payload) {
    return new RunnerSpec(
        payload,
        "onnx",
        spec.executionProviders(),
        spec.threads(),
        Map.of(),
        spec.inputNames(),
        spec.outputNames(),
        spec.predictors());
  }

  public static void print(List<Row> rows) {
    System.out.println(
        "| model | subject | load p50 ms | load / source | first inference p50 ms"
            + " | inference p50 ms (8 after the first) |");
    System.out.println("|---|---|---:|---:|---:|---:|");
    for (Row r : rows) {
      double source = r.subjects().get(1).load().p50();
      for (Subject s : r.subjects()) {
        System.out.printf(
            "| %s (%.1f MB, .ort %.1f MB) | %s | %.1f | %.2fx | %.1f | %.2f |%n",
            r.model(),
            r.sourceBytes() / 1e6,
            r.ortBytes() / 1e6,
            s.name(),
            s.load().p50(),
            s.load().p50() / source,
            s.firstInference().p50(),
            s.inference().p50());
      }
    }
    if (!rows.isEmpty()) {
      System.out.printf(
          "%n%d interleaved loads per subject after 2 untimed rounds; inference p50 is the median"
              + " over rounds of each load's p50.%n",
          rows.get(0).subjects().get(0).load().n());
    }
  }
}
