package dev.kiln.bench.quantize;

import dev.kiln.artifact.Artifact;
import dev.kiln.artifact.Manifest;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.pipeline.CompileRequest;
import dev.kiln.compiler.pipeline.Compiler;
import dev.kiln.compiler.pipeline.ProgressListener;
import dev.kiln.compiler.pipeline.QuantizeMode;
import dev.kiln.compiler.pipeline.QuantizeOptions;
import dev.kiln.compiler.quant.CalibrationMethod;
import dev.kiln.profile.DeviceProfiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code --calibration-method} compared: each model is compiled to static int8 once per method, on
 * the same calibration set, and the accuracy gate's figures on the held-out samples (every 5th,
 * never calibrated on) are read from the manifest. No timing: the methods change ranges, not
 * kernels. The gate's thresholds are set out of reach of failing, so each method's own figures are
 * reported rather than the sensitivity pass's repairs.
 */
public final class CalibrationBench {
  public record Row(
      String model,
      String method,
      Double top1Agreement,
      double sqnrDb,
      double relativeError,
      int heldOut,
      String note) {}

  private CalibrationBench() {}

  public static List<Row> run(
      Path repo, List<QuantizeBench.Subject> subjects, List<CalibrationMethod> methods)
      throws Exception {
    Path work = Files.createTempDirectory("kiln-bench-calibration");
    Compiler compiler = new Compiler(DeviceProfiles.fromClasspath(), ProgressListener.SILENT);
    List<Row> rows = new ArrayList<>();
    for (QuantizeBench.Subject s : subjects) {
      Path source = repo.resolve("samples/models").resolve(s.model());
      String name = source.getFileName().toString().replace(".onnx", "");
      Path data = NoiseImages.write(work.resolve(name + ".npy"), s.shape(), s.samples(), 11);
      for (CalibrationMethod method : methods) {
        String label = name + "-" + method.spelling().replace(':', '-');
        Path out = work.resolve(label + ".kiln");
        QuantizeOptions options =
            QuantizeOptions.of(QuantizeMode.INT8)
                .withThresholds(
                    dev.kiln.compiler.accuracy.GateThresholds.DEFAULTS
                        .withMinTop1Agreement(0)
                        .withMinSqnrDb(-1000)
                        .withMaxRelativeError(1e9))
                .withCalibration(method);
        try {
          compiler.compile(
              CompileRequest.of(source, "x86_64", out)
                  .withInputShapes(Map.of("input", s.shape()))
                  .withSkipBenchmark(true)
                  .withForce(true)
                  .withCalibrationData(data)
                  .withQuantize(options));
        } catch (CompileException e) {
          rows.add(
              new Row(name, method.spelling(), null, Double.NaN, Double.NaN, 0, e.getMessage()));
          continue;
        }
        Manifest.Quantization q =
            Artifact.unpack(out, work.resolve(label)).manifest().quantization();
        rows.add(
            new Row(
                name,
                method.spelling(),
                q.gate().top1Agreement(),
                q.gate().sqnrDb(),
                q.gate().relativeError(),
                q.heldOutSamples(),
                q.calibrationSamples() + " calibration samples"));
      }
    }
    return rows;
  }

  public static void print(List<Row> rows) {
    System.out.println(
        "| model | --calibration-method | held-out SQNR dB | top-1 agreement | worst relative"
            + " error | held-out | note |");
    System.out.println("|---|---|---:|---:|---:|---:|---|");
    for (Row r : rows) {
      System.out.printf(
          "| %s | %s | %.1f | %s | %.3f | %d | %s |%n",
          r.model(),
          r.method(),
          r.sqnrDb(),
          r.top1Agreement() == null ? "-" : String.format("%.1f%%", 100 * r.top1Agreement()),
          r.relativeError(),
          r.heldOut(),
          r.note());
    }
  }
}
