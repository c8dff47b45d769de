package dev.kiln.compiler.pipeline;

import dev.kiln.artifact.Manifest;
import dev.kiln.compiler.accuracy.GateResult;
import dev.kiln.compiler.accuracy.OutputFigures;
import dev.kiln.compiler.quant.Int8Method;
import dev.kiln.compiler.quant.Int8Scheme;
import dev.kiln.compiler.quant.NodePrecision;
import dev.kiln.compiler.quant.Precision;
import dev.kiln.compiler.quant.SensitivityPass.NodeCost;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Builds the manifest's quantization section from a {@link QuantizeStage.Result}. */
final class QuantizationManifest {
  /** SQNR when the outputs are identical (infinite) is written as this; JSON has no Infinity. */
  static final double SQNR_CAP_DB = 200;

  private QuantizationManifest() {}

  static Manifest.Quantization of(QuantizeStage.Result r) {
    Int8Scheme s = r.scheme();
    boolean int8 = r.mode() == QuantizeMode.INT8;
    return new Manifest.Quantization(
        r.mode().flag(),
        r.reduced().scheme(),
        int8 ? s.activations().name().toLowerCase(Locale.ROOT) : "float16",
        int8
            ? "int8 "
                + (s.perChannelWeights() ? "per-channel" : "per-tensor")
                + (s.reduceRange() ? ", " + Manifest.Quantization.SEVEN_BIT_RANGE : "")
            : "float16",
        int8 ? (s.method() == Int8Method.DYNAMIC ? "dynamic" : "static-qdq") : "fp16",
        r.calibration() == null ? null : r.calibration().spelling(),
        int8 ? s.why() : "fp16 halves weights; inputs and outputs stay fp32",
        r.calibration() == null ? null : r.samples().calibrate().size(),
        r.samples().heldOut().size(),
        int8 ? "onnxruntime-cpu" : "fp16 simulated on CPU",
        gate(r.gate()),
        ops(r.reduced().nodes()),
        kept(r));
  }

  static Manifest.Gate gate(GateResult g) {
    double rel = 0;
    double abs = 0;
    for (OutputFigures f : g.outputs()) {
      rel = Math.max(rel, f.relativeError());
      abs = Math.max(abs, f.maxAbsError());
    }
    return new Manifest.Gate(
        g.passed(),
        g.minTop1Agreement(),
        Math.min(SQNR_CAP_DB, g.minSqnrDb()),
        rel,
        abs,
        g.thresholds().minTop1Agreement(),
        g.thresholds().minSqnrDb(),
        g.thresholds().maxRelativeError());
  }

  static List<Manifest.OpPrecision> ops(List<NodePrecision> nodes) {
    Map<String, Map<String, Integer>> table = new TreeMap<>();
    for (NodePrecision n : nodes) {
      table
          .computeIfAbsent(n.opType(), k -> new TreeMap<>())
          .merge(n.precision().name().toLowerCase(Locale.ROOT), 1, Integer::sum);
    }
    List<Manifest.OpPrecision> out = new ArrayList<>();
    table.forEach((op, counts) -> out.add(new Manifest.OpPrecision(op, counts)));
    return out;
  }

  private static List<Manifest.KeptNode> kept(QuantizeStage.Result r) {
    Map<String, String> why = new LinkedHashMap<>();
    for (NodeCost c : r.reverted()) {
      why.put(
          c.node(),
          String.format("sensitivity pass: %+.1f dB output SQNR in fp32", c.sqnrGainDb()));
    }
    List<Manifest.KeptNode> out = new ArrayList<>();
    for (NodePrecision n : r.reduced().nodes()) {
      if (n.precision() == Precision.FP32) {
        out.add(
            new Manifest.KeptNode(n.node(), n.opType(), why.getOrDefault(n.node(), n.reason())));
      }
    }
    return out;
  }
}
