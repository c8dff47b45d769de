package dev.kiln.compiler.quant;

import dev.kiln.compiler.accuracy.AccuracyGate;
import dev.kiln.compiler.ir.OnnxModelIO;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ort.HostModel;
import dev.kiln.compiler.ort.HostTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Measures how much each quantized node hurts: for every node that runs in reduced precision, the
 * model is reduced again with only that node kept in fp32, and the output SQNR against fp32 on the
 * calibration samples is compared with the fully reduced model's. The gain is that node's cost.
 *
 * <p>Revert-one-at-a-time (rather than quantize-one-at-a-time) measures each node in the company it
 * will actually keep, and costs one reduction and one short run per node: about 20-60 for
 * resnet18-sized models. The held-out samples are never used here, so the gate stays honest.
 */
public final class SensitivityPass {
  /** Nodes measured at most; beyond this the pass measures the first ones in graph order. */
  public static final int MAX_MEASURED = 80;

  /** What keeping one node in fp32 buys. */
  public record NodeCost(String node, String opType, double sqnrGainDb, double sqnrWhenKeptDb) {
    public String describe() {
      return String.format(
          "%s (%s): SQNR %+.1f dB when kept fp32 (%.1f dB)",
          node, opType, sqnrGainDb, sqnrWhenKeptDb);
    }
  }

  /** Reduces a model with some nodes kept fp32: int8 or fp16, the caller's choice. */
  @FunctionalInterface
  public interface Reducer {
    ReducedModel reduce(Set<String> keepFp32);
  }

  private final Reducer reducer;
  private final List<Map<String, HostTensor>> samples;
  private final List<Map<String, HostTensor>> fp32Outputs;
  private final Path workDir;
  private final boolean optimize;
  private final boolean exactInt8;

  /**
   * @param samples calibration samples (never the held-out ones)
   * @param fp32Outputs the fp32 model's outputs on {@code samples}
   * @param optimize let ONNX Runtime optimize each reduced model at load (int8: it fuses QDQ into
   *     the int8 kernels the device runs); false runs it as written (the fp16 simulation, whose
   *     rounding casts an optimizer could fold away)
   * @param exactInt8 run with exact int8 products where this host's default kernels saturate
   *     ({@link Int8Scheme#saturatesOnHost}), as the gate does
   */
  public SensitivityPass(
      Reducer reducer,
      List<Map<String, HostTensor>> samples,
      List<Map<String, HostTensor>> fp32Outputs,
      Path workDir,
      boolean optimize,
      boolean exactInt8) {
    this.reducer = reducer;
    this.samples = samples;
    this.fp32Outputs = fp32Outputs;
    this.workDir = workDir;
    this.optimize = optimize;
    this.exactInt8 = exactInt8;
  }

  /** Costs of the reduced nodes of {@code reduced}, worst (largest gain) first. */
  public List<NodeCost> measure(ReducedModel reduced, Set<String> alreadyKept) {
    double base = sqnr(reduced.model());
    List<NodeCost> costs = new ArrayList<>();
    int measured = 0;
    for (NodePrecision n : reduced.nodes()) {
      if (n.precision() == Precision.FP32 || alreadyKept.contains(n.node())) {
        continue;
      }
      if (measured++ >= MAX_MEASURED) {
        break;
      }
      Set<String> keep = new HashSet<>(alreadyKept);
      keep.add(n.node());
      double kept = sqnr(reducer.reduce(keep).model());
      costs.add(new NodeCost(n.node(), n.opType(), gain(kept, base), kept));
    }
    costs.sort(Comparator.comparingDouble(NodeCost::sqnrGainDb).reversed());
    return costs;
  }

  private static double gain(double kept, double base) {
    if (Double.isInfinite(kept) && Double.isInfinite(base)) {
      return 0;
    }
    return kept - base;
  }

  /** The lowest output SQNR of {@code model} against fp32 over the samples. */
  double sqnr(ModelProto model) {
    Path file = null;
    try {
      file = Files.createTempFile(workDir, "sensitivity", ".onnx");
      OnnxModelIO.write(model, file);
      List<Map<String, HostTensor>> outputs;
      try (HostModel m = HostModel.load(file, optimize, exactInt8, 1)) {
        outputs = m.runAll(samples);
      }
      double worst = Double.POSITIVE_INFINITY;
      for (String output : fp32Outputs.get(0).keySet()) {
        double signal = 0;
        double noise = 0;
        for (int s = 0; s < samples.size(); s++) {
          double[] a = fp32Outputs.get(s).get(output).asDoubles();
          double[] b = outputs.get(s).get(output).asDoubles();
          for (int i = 0; i < a.length; i++) {
            double d = Double.isNaN(b[i]) ? Double.POSITIVE_INFINITY : b[i] - a[i];
            signal += a[i] * a[i];
            noise += d * d;
          }
        }
        worst = Math.min(worst, AccuracyGate.sqnrDb(signal, noise));
      }
      return worst;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } finally {
      if (file != null) {
        file.toFile().delete();
      }
    }
  }
}
