package dev.kiln.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * Entry point of bench/run. Prints markdown tables to paste into docs/benchmarks.md; every figure
 * is a ratio against a baseline measured in the same process, so results travel between machines
 * better than raw times.
 */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    Path repo = Path.of(System.getProperty("kiln.home", ".")).toAbsolutePath().normalize();
    String which = args.length > 0 ? args[0] : "compile";
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    int threads = Math.min(2, Runtime.getRuntime().availableProcessors());
    System.out.printf(
        "host: %s, %d cores, Java %s; %d timed runs per model, %d intra-op threads%n%n",
        System.getProperty("os.arch"),
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        runs,
        threads);
    switch (which) {
      case "compile" ->
          printCompile(
              CompileBench.run(
                  repo,
                  List.of("cnn/cnn.onnx", "large/mobilenet_v2/mobilenet_v2.onnx"),
                  runs,
                  threads));
      default ->
          throw new IllegalArgumentException("unknown benchmark '" + which + "'; try: compile");
    }
  }

  private static void printCompile(List<CompileBench.Row> rows) {
    System.out.println(
        "| model | baseline | baseline p50 ms | compiled p50 ms | p50 ratio | baseline p95 ms | compiled p95 ms | p95 ratio |");
    System.out.println("|---|---|---:|---:|---:|---:|---:|---:|");
    for (CompileBench.Row r : rows) {
      System.out.printf(
          "| %s | %s | %.3f | %.3f | %.2fx | %.3f | %.3f | %.2fx |%n",
          r.model(),
          r.baseline(),
          r.base().p50(),
          r.compiled().p50(),
          r.compiled().p50() / r.base().p50(),
          r.base().p95(),
          r.compiled().p95(),
          r.compiled().p95() / r.base().p95());
    }
    System.out.println();
    System.out.println("| model | load p50 ms, source at ORT defaults | load p50 ms, compiled | ratio |");
    System.out.println("|---|---:|---:|---:|");
    for (CompileBench.LoadRow l : CompileBench.LOADS) {
      System.out.printf(
          "| %s | %.2f | %.2f | %.2fx |%n",
          l.model(),
          l.sourceDefaults().p50(),
          l.compiled().p50(),
          l.compiled().p50() / l.sourceDefaults().p50());
    }
  }
}
