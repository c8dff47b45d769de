package dev.kiln.compiler.quant;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.kiln.compiler.ir.OnnxModelIO;
import dev.kiln.compiler.ir.OpHistogram;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.TensorShapeProto;
import dev.kiln.compiler.ir.proto.ValueInfoProto;
import dev.kiln.compiler.ort.HostTensor;
import dev.kiln.compiler.ort.OrtOfflineOptimizer;
import dev.kiln.compiler.ort.OrtOfflineOptimizer.OptimizerLevel;
import dev.kiln.compiler.ort.OrtSessions;
import dev.kiln.compiler.passes.PassPipeline;
import dev.kiln.profile.Arch;
import dev.kiln.profile.DeviceProfiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Sample models after Kiln's passes, seeded inputs, and ORT runs for the quantizer's tests. */
final class QuantFixtures {
  static final Path SAMPLES =
      Path.of(System.getProperty("kiln.repo.root", "..")).resolve("samples/models");

  /**
   * U8S8 as the compiler picks it for the generic profile of this host's arch: 7-bit weights on
   * x86_64 (which an AVX2 CPU without VNNI, an AMD EPYC say, computes without saturating), full
   * range on arm64. A test on the VNNI scheme alone measures saturation on such a host.
   */
  static final Int8Scheme HOST_U8S8 =
      Int8Scheme.forTarget(
          DeviceProfiles.fromClasspath()
              .get(Arch.host() == Arch.ARM64 ? "linux-arm64" : "linux-x86_64"));

  private QuantFixtures() {}

  /** The sample after Kiln's standard passes, as the QUANTIZE stage receives it. */
  static ModelProto passed(String relative) {
    ModelProto.Builder b = OnnxModelIO.read(SAMPLES.resolve(relative)).toBuilder();
    PassPipeline.standard().run(b);
    return b.build();
  }

  /** {@code count} inputs of normal values, one seed per sample, dynamic dims fixed at 1. */
  static List<Map<String, HostTensor>> samples(ModelProto model, int count, long seed) {
    List<Map<String, HostTensor>> out = new ArrayList<>();
    for (int s = 0; s < count; s++) {
      Random random = new Random(seed + s);
      Map<String, HostTensor> sample = new LinkedHashMap<>();
      for (ValueInfoProto in : model.getGraph().getInputList()) {
        List<TensorShapeProto.Dimension> dims =
            in.getType().getTensorType().getShape().getDimList();
        long[] shape =
            dims.stream().mapToLong(d -> d.hasDimValue() ? d.getDimValue() : 1).toArray();
        int n = 1;
        for (long d : shape) {
          n *= (int) d;
        }
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
          values[i] = (float) random.nextGaussian();
        }
        sample.put(in.getName(), HostTensor.ofFloats(shape, values));
      }
      out.add(sample);
    }
    return out;
  }

  /** Output 0 of the model for each sample, under ORT at {@code level}. */
  static List<float[]> run(ModelProto model, List<Map<String, HostTensor>> samples, OptLevel level)
      throws OrtException {
    List<float[]> out = new ArrayList<>();
    try (OrtSession session = OrtSessions.open(model.toByteArray(), level, 2)) {
      for (Map<String, HostTensor> sample : samples) {
        out.add((float[]) OrtSessions.run(session, sample).values().iterator().next().values());
      }
    }
    return out;
  }

  /** The op histogram of the model as ONNX Runtime leaves it after optimizing at {@code level}. */
  static OpHistogram afterOrt(ModelProto model, OptimizerLevel level) throws Exception {
    Path dir = Files.createTempDirectory("kiln-quant");
    try {
      Path source = dir.resolve("model.onnx");
      Path target = dir.resolve("optimized.onnx");
      OnnxModelIO.write(model, source);
      OrtOfflineOptimizer.optimize(source, target, level, false);
      return OpHistogram.of(OnnxModelIO.read(target));
    } finally {
      try (var files = Files.list(dir)) {
        for (Path p : files.toList()) {
          Files.delete(p);
        }
      }
      Files.delete(dir);
    }
  }

  /** Signal-to-quantization-noise ratio in dB of {@code actual} against {@code expected}. */
  static double sqnrDb(List<float[]> expected, List<float[]> actual) {
    double signal = 0;
    double noise = 0;
    for (int s = 0; s < expected.size(); s++) {
      for (int i = 0; i < expected.get(s).length; i++) {
        double e = expected.get(s)[i];
        double d = e - actual.get(s)[i];
        signal += e * e;
        noise += d * d;
      }
    }
    return 10 * Math.log10(signal / Math.max(noise, 1e-30));
  }

  /** Fraction of samples whose argmax agrees (per row of {@code classes} values). */
  static double top1Agreement(List<float[]> expected, List<float[]> actual, int classes) {
    int rows = 0;
    int same = 0;
    for (int s = 0; s < expected.size(); s++) {
      for (int r = 0; r * classes < expected.get(s).length; r++) {
        rows++;
        if (argmax(expected.get(s), r * classes, classes)
            == argmax(actual.get(s), r * classes, classes)) {
          same++;
        }
      }
    }
    return (double) same / rows;
  }

  /**
   * Indices of single-row samples whose fp32 top-1 beats the runner-up by at least {@code fraction}
   * of the logits' standard deviation. A near-tie flips under any rounding, so top-1 agreement
   * there measures noise, not the quantizer.
   */
  static List<Integer> decisive(List<float[]> expected, double fraction) {
    List<Integer> out = new ArrayList<>();
    for (int s = 0; s < expected.size(); s++) {
      float[] x = expected.get(s);
      int best = argmax(x, 0, x.length);
      double second = Double.NEGATIVE_INFINITY;
      double mean = 0;
      for (int i = 0; i < x.length; i++) {
        mean += x[i] / x.length;
        if (i != best) {
          second = Math.max(second, x[i]);
        }
      }
      double var = 0;
      for (float v : x) {
        var += (v - mean) * (v - mean) / x.length;
      }
      if (x[best] - second >= fraction * Math.sqrt(var)) {
        out.add(s);
      }
    }
    return out;
  }

  static <T> List<T> pick(List<T> values, List<Integer> indices) {
    return indices.stream().map(values::get).toList();
  }

  private static int argmax(float[] v, int from, int n) {
    int best = from;
    for (int i = from; i < from + n; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best - from;
  }
}
