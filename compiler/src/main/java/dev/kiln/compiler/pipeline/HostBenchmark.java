package dev.kiln.compiler.pipeline;

import dev.kiln.artifact.Manifest;
import dev.kiln.compiler.ort.HostSession;
import dev.kiln.compiler.ort.HostTensor;
import dev.kiln.compiler.ort.LoadLevel;
import dev.kiln.compiler.ort.OrtFailure;
import java.nio.file.Path;
import java.util.Map;

/**
 * Load time and latency percentiles of a model on this host. Source and compiled run alternately in
 * the same process, so drift in machine load hits both alike and their ratio stays meaningful.
 */
final class HostBenchmark {
  private static final int WARMUP = 5;

  private HostBenchmark() {}

  /**
   * @param sourceLevel how the device would run the source as is: with ORT's default optimizations
   * @param compiledLevel the compiled model is already optimized; the device loads it as is
   */
  static Manifest.Benchmark run(
      Path source, Path compiled, Map<String, HostTensor> inputs, int runs, int threads)
      throws OrtFailure {
    long t0 = System.nanoTime();
    try (HostSession src = HostSession.openForTiming(source, LoadLevel.ALL, threads)) {
      double srcLoad = millisSince(t0);
      long t1 = System.nanoTime();
      try (HostSession out = HostSession.openForTiming(compiled, LoadLevel.NONE, threads)) {
        double outLoad = millisSince(t1);
        for (int i = 0; i < WARMUP; i++) {
          src.run(inputs);
          out.run(inputs);
        }
        double[] srcTimes = new double[runs];
        double[] outTimes = new double[runs];
        for (int i = 0; i < runs; i++) {
          long a = System.nanoTime();
          src.run(inputs);
          srcTimes[i] = millisSince(a);
          long b = System.nanoTime();
          out.run(inputs);
          outTimes[i] = millisSince(b);
        }
        return new Manifest.Benchmark(
            Timings.host(), runs, Timings.of(srcLoad, srcTimes), Timings.of(outLoad, outTimes));
      }
    }
  }

  /** Two compiled payloads of one model, timed alternately: fp32 first, reduced second. */
  record Pair(Manifest.Timing fp32, Manifest.Timing reduced) {
    double ratio() {
      return reduced.p50Ms() / fp32.p50Ms();
    }
  }

  /** Both payloads load as the device would ({@code level}), and run in alternation. */
  static Pair compare(
      Path fp32,
      Path reduced,
      LoadLevel level,
      Map<String, HostTensor> inputs,
      int runs,
      int threads)
      throws OrtFailure {
    long t0 = System.nanoTime();
    try (HostSession a = HostSession.openForTiming(fp32, level, threads)) {
      double aLoad = millisSince(t0);
      long t1 = System.nanoTime();
      try (HostSession b = HostSession.openForTiming(reduced, level, threads)) {
        double bLoad = millisSince(t1);
        for (int i = 0; i < WARMUP; i++) {
          a.run(inputs);
          b.run(inputs);
        }
        double[] aTimes = new double[runs];
        double[] bTimes = new double[runs];
        for (int i = 0; i < runs; i++) {
          long x = System.nanoTime();
          a.run(inputs);
          aTimes[i] = millisSince(x);
          long y = System.nanoTime();
          b.run(inputs);
          bTimes[i] = millisSince(y);
        }
        return new Pair(Timings.of(aLoad, aTimes), Timings.of(bLoad, bTimes));
      }
    }
  }

  private static double millisSince(long start) {
    return (System.nanoTime() - start) / 1e6;
  }
}
