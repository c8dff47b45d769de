import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import ai.onnxruntime.TensorInfo;
import java.lang.ref.Reference;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Throwaway probe behind docs/benchmarks.md "What dominates compiled load": ONNX Runtime's Java
 * API directly (no DJL), so that ways of loading DJL cannot express (a memory-mapped ORT-format
 * payload used in place) can be measured. Single-file program, not part of the Maven build:
 *
 * <pre>java -cp onnxruntime-1.21.1.jar bench/probes/OrtLoadProbe.java MODEL.onnx [ROUNDS=20]</pre>
 *
 * Writes the model optimized at ALL level on this host as .onnx and .ort (what the compiler's
 * x86_64 payload is), then loads each subject interleaved, rotating the order each round, and
 * runs 8 inferences on each loaded session so that a faster load that costs steady state shows.
 */
public class OrtLoadProbe {
  private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

  /** A way of loading; mapped subjects hand ONNX Runtime a memory-mapped direct buffer. */
  private record Subject(String name, Path file, OptLevel level, Map<String, String> config, boolean mapped) {}

  public static void main(String[] args) throws Exception {
    Path source = Path.of(args[0]);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    Path dir = Files.createTempDirectory("kiln-ort-load");
    Path onnx = dir.resolve("compiled.onnx");
    Path ort = dir.resolve("compiled.ort");
    optimize(source, onnx, Map.of());
    optimize(source, ort, Map.of("session.save_model_format", "ORT"));
    Map<String, String> zeroCopy =
        Map.of(
            "session.use_ort_model_bytes_directly", "1",
            "session.use_ort_model_bytes_for_initializers", "1");
    List<Subject> subjects =
        List.of(
            new Subject("source, ALL_OPT", source, OptLevel.ALL_OPT, Map.of(), false),
            new Subject("compiled .onnx, NO_OPT", onnx, OptLevel.NO_OPT, Map.of(), false),
            new Subject(
                "compiled .onnx, NO_OPT, no prepacking",
                onnx,
                OptLevel.NO_OPT,
                Map.of("session.disable_prepacking", "1"),
                false),
            new Subject("compiled .ort, NO_OPT, path", ort, OptLevel.NO_OPT, Map.of(), false),
            new Subject("compiled .ort, NO_OPT, mmap zero-copy", ort, OptLevel.NO_OPT, zeroCopy, true));
    double[][] load = new double[subjects.size()][rounds];
    double[][] infer = new double[subjects.size()][rounds];
    for (int i = -2; i < rounds; i++) {
      for (int k = 0; k < subjects.size(); k++) {
        int j = Math.floorMod(i + k, subjects.size());
        double[] times = measure(subjects.get(j));
        if (i >= 0) {
          load[j][i] = times[0];
          infer[j][i] = times[1];
        }
      }
    }
    double sourceP50 = p50(load[0]);
    for (int j = 0; j < subjects.size(); j++) {
      System.out.printf(
          "%-40s load p50 %7.1f ms  %.2fx of source   inference p50 %6.1f ms%n",
          subjects.get(j).name(), p50(load[j]), p50(load[j]) / sourceP50, p50(infer[j]));
    }
  }

  private static void optimize(Path source, Path out, Map<String, String> config) throws Exception {
    try (SessionOptions o = options(OptLevel.ALL_OPT, config)) {
      o.setOptimizedModelFilePath(out.toString());
      ENV.createSession(source.toString(), o).close();
    }
  }

  private static SessionOptions options(OptLevel level, Map<String, String> config)
      throws Exception {
    SessionOptions o = new SessionOptions();
    o.setOptimizationLevel(level);
    o.setIntraOpNumThreads(2);
    o.setInterOpNumThreads(1);
    for (Map.Entry<String, String> e : config.entrySet()) {
      o.addConfigEntry(e.getKey(), e.getValue());
    }
    return o;
  }

  /** Load ms and inference p50 ms; the mapping stays open as long as the session. */
  private static double[] measure(Subject s) throws Exception {
    try (SessionOptions o = options(s.level(), s.config());
        FileChannel channel = s.mapped() ? FileChannel.open(s.file()) : null) {
      long t0 = System.nanoTime();
      // ONNX Runtime reads the weights from this buffer for the session's whole life: it must
      // stay reachable (unmapped by the GC otherwise, and the session faults).
      MappedByteBuffer mapped =
          s.mapped() ? channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size()) : null;
      OrtSession session =
          s.mapped() ? ENV.createSession(mapped, o) : ENV.createSession(s.file().toString(), o);
      double loadMs = (System.nanoTime() - t0) / 1e6;
      try (session) {
        var input = session.getInputInfo().values().iterator().next();
        long[] shape = ((TensorInfo) input.getInfo()).getShape();
        int n = 1;
        for (int d = 0; d < shape.length; d++) {
          shape[d] = Math.max(shape[d], 1);
          n *= (int) shape[d];
        }
        try (OnnxTensor x = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(new float[n]), shape)) {
          session.run(Map.of(input.getName(), x)).close();
          List<Double> runs = new ArrayList<>();
          for (int r = 0; r < 8; r++) {
            long t1 = System.nanoTime();
            session.run(Map.of(input.getName(), x)).close();
            runs.add((System.nanoTime() - t1) / 1e6);
          }
          return new double[] {loadMs, p50(runs.stream().mapToDouble(Double::doubleValue).toArray())};
        }
      } finally {
        Reference.reachabilityFence(mapped);
      }
    }
  }

  private static double p50(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
