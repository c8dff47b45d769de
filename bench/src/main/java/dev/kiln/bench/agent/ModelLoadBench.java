package dev.kiln.bench.agent;

import dev.kiln.agent.runtime.DjlRunnerFactory;
import dev.kiln.agent.runtime.ModelRunner;
import dev.kiln.agent.runtime.RunnerSpec;
import dev.kiln.artifact.Manifest;
import dev.kiln.bench.Stats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Load time on the agent's own path ({@link DjlRunnerFactory#load}, as the model loader calls it):
 * the compiled payload with the manifest's session options, the source model at ONNX Runtime's
 * defaults, and the compiled payload without options (what agents before session options did).
 * Loads are interleaved, rotating the order each round; each load is closed before the next.
 */
public final class ModelLoadBench {
  /** Load times in ms; {@code optLevel} is what the manifest asked for. */
  public record Row(
      String model,
      String optLevel,
      long sourceBytes,
      long payloadBytes,
      Stats compiled,
      Stats source,
      Stats compiledNoOptions) {}

  private ModelLoadBench() {}

  public static List<Row> run(Path repo, List<String> models, int rounds, int threads)
      throws Exception {
    Path work = Files.createTempDirectory("kiln-bench-load");
    DjlRunnerFactory factory = new DjlRunnerFactory(threads);
    List<Row> rows = new ArrayList<>();
    for (String relative : models) {
      Path source = repo.resolve("samples/models").resolve(relative);
      if (!Files.isRegularFile(source)) {
        System.out.println("skipped " + relative + ": not generated (needs python3-torch)");
        continue;
      }
      BenchModel model = BenchModel.compile(repo, relative, work);
      Manifest m = model.artifact().manifest();
      RunnerSpec compiled = RunnerSpec.fromManifest(m, model.artifact().payloadPath(), threads, 1);
      RunnerSpec plain = withoutOptions(compiled, compiled.payload());
      RunnerSpec sourceSpec = withoutOptions(compiled, source);
      List<RunnerSpec> subjects = List.of(compiled, sourceSpec, plain);
      double[][] times = new double[subjects.size()][rounds];
      // Two untimed rounds: class loading, the native library and the page cache.
      for (int i = -2; i < rounds; i++) {
        for (int k = 0; k < subjects.size(); k++) {
          int j = Math.floorMod(i + k, subjects.size());
          long t = System.nanoTime();
          ModelRunner runner = factory.load(subjects.get(j));
          double ms = (System.nanoTime() - t) / 1e6;
          runner.close();
          if (i >= 0) {
            times[j][i] = ms;
          }
        }
      }
      rows.add(
          new Row(
              model.name(),
              m.engine().sessionOptions().getOrDefault("optLevel", "(none)"),
              Files.size(source),
              m.payload().bytes(),
              Stats.of(times[0]),
              Stats.of(times[1]),
              Stats.of(times[2])));
    }
    return rows;
  }

  /** The same threads and providers, but ONNX Runtime's default session options. */
  private static RunnerSpec withoutOptions(RunnerSpec spec, Path payload) {
    return new RunnerSpec(
        payload,
        spec.format(),
        spec.executionProviders(),
        spec.threads(),
        Map.of(),
        spec.inputNames(),
        spec.outputNames(),
        spec.predictors());
  }

  public static void print(List<Row> rows) {
    System.out.println(
        "| model | manifest optLevel | source MB | payload MB | load p50 ms, compiled + manifest"
            + " options | load p50 ms, source at ORT defaults | load p50 ms, compiled without options"
            + " | ratio compiled/source | ratio compiled with/without options |");
    System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for (Row r : rows) {
      System.out.printf(
          "| %s | %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.2fx | %.2fx |%n",
          r.model(),
          r.optLevel(),
          r.sourceBytes() / 1e6,
          r.payloadBytes() / 1e6,
          r.compiled().p50(),
          r.source().p50(),
          r.compiledNoOptions().p50(),
          r.compiled().p50() / r.source().p50(),
          r.compiled().p50() / r.compiledNoOptions().p50());
    }
    if (!rows.isEmpty()) {
      System.out.printf(
          "%n%d interleaved loads per subject after 2 untimed rounds.%n",
          rows.get(0).compiled().n());
    }
  }
}
