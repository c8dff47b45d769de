package dev.kiln.compiler.quant;

import dev.kiln.compiler.ir.proto.NodeProto;
import dev.kiln.compiler.ort.TensorStats;
import java.util.HashMap;
import java.util.Map;

/**
 * The quantization params of every 8-bit activation: from its calibration statistics, or, for the
 * output of a data-movement op, the same as that op's input (ORT only drops QDQ pairs around such
 * ops when both sides match).
 */
final class ActivationParams {
  private final QdqPlan plan;
  private final Map<String, TensorStats> stats;
  private final CalibrationMethod method;
  private final ActivationType type;
  private final Map<String, Integer> sharingProducer = new HashMap<>();
  private final Map<String, QuantParams> memo = new HashMap<>();

  ActivationParams(
      QdqPlan plan, Map<String, TensorStats> stats, CalibrationMethod method, ActivationType type) {
    this.plan = plan;
    this.stats = stats;
    this.method = method;
    this.type = type;
    for (int i : plan.quantized) {
      NodeProto node = plan.graph.getNode(i);
      if (OpRole.of(node.getOpType()).sharesInput()) {
        sharingProducer.put(node.getOutput(0), i);
      }
    }
  }

  QuantParams of(String tensor) {
    QuantParams known = memo.get(tensor);
    if (known != null) {
      return known;
    }
    Integer sharer = sharingProducer.get(tensor);
    QuantParams params =
        sharer != null ? of(plan.graph.getNode(sharer).getInput(0)) : fromStats(tensor);
    memo.put(tensor, params);
    return params;
  }

  private QuantParams fromStats(String tensor) {
    TensorStats s = stats.get(tensor);
    if (s == null) {
      throw new IllegalStateException("no calibration statistics for " + tensor);
    }
    float min = s.min();
    float max = s.max();
    if (method.kind() == CalibrationMethod.Kind.PERCENTILE) {
      float t = s.absPercentile(method.keptFraction());
      min = Math.max(min, -t);
      max = Math.min(max, t);
    }
    return QuantParams.forRange(min, max, type);
  }

  /** Params for a constant in an activation slot, from its own values. */
  QuantParams ofConstant(float[] values) {
    float min = 0;
    float max = 0;
    for (float v : values) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    return QuantParams.forRange(min, max, type);
  }

  ActivationType type() {
    return type;
  }
}
