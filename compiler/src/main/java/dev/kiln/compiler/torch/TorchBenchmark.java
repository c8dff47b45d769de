package dev.kiln.compiler.torch;

import dev.kiln.artifact.Manifest;
import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.ort.HostSession;
import dev.kiln.compiler.ort.HostTensor;
import dev.kiln.compiler.ort.LoadLevel;
import dev.kiln.compiler.ort.OrtFailure;
import dev.kiln.compiler.pipeline.Timings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Load time and latency percentiles on this host, like the ONNX pipeline's benchmark. The source is
 * always the TorchScript as given, run by libtorch (how a device would run it without Kiln); source
 * and compiled run alternately so drift in machine load hits both alike.
 */
final class TorchBenchmark {
  private static final int WARMUP = 5;

  private interface Run {
    void once() throws Exception;
  }

  private TorchBenchmark() {}

  /** TorchScript source vs the TorchScript payload, both in libtorch. */
  static Manifest.Benchmark torchVsTorch(Path source, Path payload, List<HostTensor> in, int runs) {
    try (TorchModule src = TorchModule.open(source);
        TorchModule out = TorchModule.open(payload)) {
      return measure(
          src.loadMillis(), () -> src.run(in), out.loadMillis(), () -> out.run(in), runs);
    }
  }

  /**
   * TorchScript source in libtorch vs the converted, optimized payload in ONNX Runtime. These two
   * run in blocks, not alternately: ONNX Runtime's idle threads spin for a while after each run and
   * would steal cores from libtorch, so interleaving would measure the contention instead.
   */
  static Manifest.Benchmark torchVsOrt(
      Path source,
      List<HostTensor> torchInputs,
      Path payload,
      LoadLevel level,
      Map<String, HostTensor> ortInputs,
      int threads,
      int runs)
      throws OrtFailure {
    Manifest.Benchmark torch;
    try (TorchModule src = TorchModule.open(source)) {
      torch = measure(src.loadMillis(), () -> src.run(torchInputs), 0, () -> {}, runs);
    }
    long start = System.nanoTime();
    try (HostSession out = HostSession.openForTiming(payload, level, threads)) {
      double load = (System.nanoTime() - start) / 1e6;
      Manifest.Benchmark ort = measure(load, () -> ortRun(out, ortInputs), 0, () -> {}, runs);
      return new Manifest.Benchmark(torch.host(), torch.runs(), torch.source(), ort.source());
    }
  }

  private static void ortRun(HostSession session, Map<String, HostTensor> inputs)
      throws OrtFailure {
    session.run(inputs);
  }

  private static Manifest.Benchmark measure(
      double srcLoad, Run src, double outLoad, Run out, int requestedRuns) {
    try {
      return timed(srcLoad, src, outLoad, out, Math.max(1, requestedRuns));
    } catch (TorchModule.ForwardFailed e) {
      throw new CompileException(
          CompileErrorCode.VERIFICATION_FAILED,
          "a benchmark run failed where verification passed: " + e.reason(),
          e);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new CompileException(
          CompileErrorCode.VERIFICATION_FAILED,
          "a benchmark run failed where verification passed: " + e.getMessage(),
          e);
    }
  }

  private static Manifest.Benchmark timed(
      double srcLoad, Run src, double outLoad, Run out, int runs) throws Exception {
    for (int i = 0; i < WARMUP; i++) {
      src.once();
      out.once();
    }
    double[] srcTimes = new double[runs];
    double[] outTimes = new double[runs];
    for (int i = 0; i < runs; i++) {
      long a = System.nanoTime();
      src.once();
      srcTimes[i] = (System.nanoTime() - a) / 1e6;
      long b = System.nanoTime();
      out.once();
      outTimes[i] = (System.nanoTime() - b) / 1e6;
    }
    return new Manifest.Benchmark(
        Timings.host(), runs, Timings.of(srcLoad, srcTimes), Timings.of(outLoad, outTimes));
  }
}
