package dev.kiln.bench.quantize;

import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.kiln.artifact.Artifact;
import dev.kiln.artifact.Manifest;
import dev.kiln.artifact.TensorData;
import dev.kiln.bench.Interleave;
import dev.kiln.bench.Stats;
import dev.kiln.compiler.ort.HostTensor;
import dev.kiln.compiler.ort.OrtSessions;
import dev.kiln.compiler.pipeline.CompileReport;
import dev.kiln.compiler.pipeline.CompileRequest;
import dev.kiln.compiler.pipeline.Compiler;
import dev.kiln.compiler.pipeline.ProgressListener;
import dev.kiln.compiler.pipeline.QuantizeMode;
import dev.kiln.compiler.pipeline.QuantizeOptions;
import dev.kiln.profile.DeviceProfiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * int8 vs fp32 compiled, both from {@code kiln compile} for this host, loaded as the agent loads
 * them and run interleaved in one process on the same held-out input. The int8 compile runs with
 * the benchmark skipped, so it always ships int8 and the comparison here is its own. Gate figures
 * (top-1 agreement, SQNR) are the compiler's, on the held-out part of the calibration set.
 */
public final class QuantizeBench {
  /** One model; {@code shape} of one sample, {@code samples} in the calibration set. */
  public record Subject(String model, long[] shape, int samples) {}

  public record Row(
      String model,
      String input,
      Stats fp32,
      Stats int8,
      long fp32Bytes,
      long int8Bytes,
      Double top1Agreement,
      double sqnrDb,
      int heldOut,
      String scheme) {}

  private QuantizeBench() {}

  public static List<Row> run(Path repo, List<Subject> subjects, int runs, int threads)
      throws Exception {
    Path work = Files.createTempDirectory("kiln-bench-quantize");
    Compiler compiler = new Compiler(DeviceProfiles.fromClasspath(), ProgressListener.SILENT);
    List<Row> rows = new java.util.ArrayList<>();
    for (Subject s : subjects) {
      Path source = repo.resolve("samples/models").resolve(s.model());
      String name = source.getFileName().toString().replace(".onnx", "");
      Path data = NoiseImages.write(work.resolve(name + ".npy"), s.shape(), s.samples(), 11);
      Map<String, long[]> shapes = Map.of("input", s.shape());
      CompileRequest base =
          CompileRequest.of(source, "x86_64", work.resolve(name + "-fp32.kiln"))
              .withInputShapes(shapes)
              .withSkipBenchmark(true)
              .withForce(true);
      compiler.compile(base);
      CompileReport int8 =
          compiler.compile(
              CompileRequest.of(source, "x86_64", work.resolve(name + "-int8.kiln"))
                  .withInputShapes(shapes)
                  .withSkipBenchmark(true)
                  .withForce(true)
                  .withCalibrationData(data)
                  .withQuantize(QuantizeOptions.of(QuantizeMode.INT8)));
      Artifact a = Artifact.unpack(work.resolve(name + "-fp32.kiln"), work.resolve(name + "-a"));
      Artifact b = Artifact.unpack(work.resolve(name + "-int8.kiln"), work.resolve(name + "-b"));
      Map<String, HostTensor> inputs = new LinkedHashMap<>();
      for (Map.Entry<String, TensorData> in : b.sample().inputs().entrySet()) {
        inputs.put(in.getKey(), HostTensor.of(in.getValue()));
      }
      try (OrtSession fp32 = open(a, threads);
          OrtSession q = open(b, threads)) {
        Stats[] st =
            Interleave.run(
                List.of(() -> OrtSessions.run(fp32, inputs), () -> OrtSessions.run(q, inputs)),
                runs);
        Manifest.Quantization mq = b.manifest().quantization();
        rows.add(
            new Row(
                name,
                dev.kiln.compiler.ir.InputShapes.format(s.shape()),
                st[0],
                st[1],
                a.manifest().payload().bytes(),
                b.manifest().payload().bytes(),
                mq.gate().top1Agreement(),
                mq.gate().sqnrDb(),
                mq.heldOutSamples(),
                mq.activations() + " activations, " + mq.weights() + " weights, " + mq.method()));
      }
      if (int8.quantization() == null) {
        throw new IllegalStateException(name + ": the int8 compile shipped no int8 payload");
      }
    }
    return rows;
  }

  /**
   * The intra-op threads sleep instead of spinning after each run, unless {@code
   * -Dkiln.bench.spin=true}. Two interleaved sessions on a 2-core host otherwise have the idle
   * session's spinning workers compete with the running one (and with other processes): measured on
   * mobilenet_v2 under load 4, p50 fp32 17.1/15.7 ms and int8 8.8/8.4 ms spinning vs 8.7/7.9 and
   * 4.7/4.6 ms not (ratio 0.52/0.53 vs 0.54/0.58); on a quiet machine 0.72x spinning vs 0.54x not.
   * The spinning penalty is roughly a fixed cost per run, so it pulls the faster model's ratio
   * towards 1: the agent runs one session per model, where no idle session spins against it, so not
   * spinning is the closer estimate of the ratio a device sees.
   */
  private static OrtSession open(Artifact artifact, int threads) throws Exception {
    OptLevel level =
        OptLevel.valueOf(artifact.manifest().engine().sessionOptions().get("optLevel"));
    if (Boolean.getBoolean("kiln.bench.spin")) {
      return OrtSessions.open(artifact.payloadPath(), level, threads);
    }
    return OrtSessions.openNonSpinning(artifact.payloadPath(), level, threads);
  }

  public static void print(List<Row> rows) {
    System.out.println(
        "| model | input | fp32 p50 ms | int8 p50 ms | p50 ratio | fp32 p95 ms | int8 p95 ms |"
            + " p95 ratio | size ratio | top-1 agreement | SQNR dB | held-out | scheme |");
    System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for (Row r : rows) {
      System.out.printf(
          "| %s | %s | %.3f | %.3f | %.2fx | %.3f | %.3f | %.2fx | %.2fx | %s | %.1f | %d | %s |%n",
          r.model(),
          r.input(),
          r.fp32().p50(),
          r.int8().p50(),
          r.int8().p50() / r.fp32().p50(),
          r.fp32().p95(),
          r.int8().p95(),
          r.int8().p95() / r.fp32().p95(),
          (double) r.int8Bytes() / r.fp32Bytes(),
          r.top1Agreement() == null ? "-" : String.format("%.1f%%", 100 * r.top1Agreement()),
          r.sqnrDb(),
          r.heldOut(),
          r.scheme());
    }
  }
}
