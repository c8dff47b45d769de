package dev.kiln.compiler.pipeline;

import dev.kiln.artifact.Manifest;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.ort.HostTensor;
import dev.kiln.compiler.ort.LoadLevel;
import dev.kiln.compiler.ort.OrtFailure;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where the ONNX that {@link OnnxCompile} compiles comes from, and what that source adds to the
 * stages: an ONNX file as given (every default here), or a model converted to ONNX first, which is
 * then also checked and timed against the original and named as the artifact's source.
 */
public interface OnnxSource {
  /** The ONNX file to compile; {@code note} says how it was made ("" for a file as given). */
  record Onnx(Path file, String note) {}

  /** A benchmark and its one-line summary. */
  record Timed(Manifest.Benchmark benchmark, String summary) {}

  /**
   * The compiled payload checked against the original source, on top of the check against the ONNX.
   *
   * @param method how, e.g. "payload vs the TorchScript source in libtorch 2.7.1 on the sample"
   * @param worstDetail the worst difference in words, as the report shows it
   * @param summary what the verify line adds, e.g. "vs the TorchScript: max abs error 1e-6"
   */
  record SourceCheck(
      String method,
      double maxAbsError,
      double maxRelError,
      String worstOutput,
      String worstDetail,
      String summary) {
    /** The ONNX verification with this check added: the worse of the two figures wins. */
    Manifest.Verification merge(Manifest.Verification onnx) {
      boolean worse = maxAbsError > onnx.maxAbsError();
      return new Manifest.Verification(
          onnx.passed(),
          onnx.method() + "; " + method,
          onnx.samples(),
          Math.max(onnx.maxAbsError(), maxAbsError),
          Math.max(onnx.maxRelError(), maxRelError),
          onnx.tolerance(),
          worse ? worstOutput : onnx.worstOutput(),
          onnx.sampleFile(),
          onnx.sampleSha256());
    }

    String worstDetail(Manifest.Verification onnx, String onnxWorstDetail) {
      return maxAbsError > onnx.maxAbsError() ? worstDetail : onnxWorstDetail;
    }
  }

  /** LOAD, first: the ONNX to compile. */
  Onnx onnx(Path workDir) throws IOException;

  /**
   * VERIFY, last: the fp32 compiled payload against the original source on {@code inputs} (the
   * verification sample's); null when the ONNX is the source.
   */
  default SourceCheck check(Map<String, HostTensor> inputs, Path fp32Payload, LoadLevel level)
      throws OrtFailure {
    return null;
  }

  /** BENCHMARK: the source as a device would run it, against the payload that ships. */
  default Timed time(
      Path onnx,
      Path shipped,
      LoadLevel level,
      Map<String, HostTensor> inputs,
      int threads,
      int runs)
      throws IOException, OrtFailure {
    Manifest.Benchmark b = HostBenchmark.run(onnx, shipped, inputs, runs, threads);
    return new Timed(
        b,
        String.format(
            "p50 %.3f ms -> %.3f ms, load %.1f ms -> %.1f ms",
            b.source().p50Ms(), b.compiled().p50Ms(), b.source().loadMs(), b.compiled().loadMs()));
  }

  /**
   * PACKAGE: the manifest with this source as the artifact's source.
   *
   * @param onnxNodes nodes in the ONNX as loaded
   */
  default Manifest asSource(Manifest onnx, int onnxNodes) throws IOException {
    return onnx;
  }

  /** What the operator should know about the source, for the report. */
  default List<String> warnings() {
    return List.of();
  }

  /** See {@link FrontEnd#explain}. */
  default CompileException explain(CompileException e) {
    return e;
  }
}
