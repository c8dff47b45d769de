package dev.kiln.compiler.quant;

import dev.kiln.compiler.ir.proto.GraphProto;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ort.ActivationRanges;
import dev.kiln.compiler.ort.HostTensor;
import dev.kiln.compiler.ort.TensorStats;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Static int8: calibrate, plan, write the QDQ graph. */
final class StaticQdq {
  private StaticQdq() {}

  static ReducedModel quantize(
      ModelProto fp32,
      List<Map<String, HostTensor>> calibration,
      Int8Scheme scheme,
      CalibrationMethod method,
      Set<String> keepFp32) {
    if (calibration.isEmpty()) {
      throw new IllegalArgumentException(
          "static int8 needs calibration samples; pass some or use the DYNAMIC method");
    }
    ModelProto model = OpsetUpgrade.toRequired(fp32);
    GraphProto graph = model.getGraph();
    Map<String, TensorStats> stats = calibrate(model, calibration);
    QdqPlan plan = new QdqPlan(graph, keepFp32, stats.keySet());
    ActivationParams params = new ActivationParams(plan, stats, method, scheme.activations());
    GraphProto written = new QdqWriter(plan, params, scheme).write();
    return new ReducedModel(
        model.toBuilder().setGraph(written).build(), plan.table(), describe(scheme, method));
  }

  private static Map<String, TensorStats> calibrate(
      ModelProto model, List<Map<String, HostTensor>> calibration) {
    Set<String> tensors = new HashSet<>(FloatTensors.of(model.getGraph()));
    model.getGraph().getInitializerList().forEach(t -> tensors.remove(t.getName()));
    return ActivationRanges.collect(model, tensors, calibration);
  }

  static String describe(Int8Scheme scheme, CalibrationMethod method) {
    String types =
        scheme.activations() == ActivationType.UINT8
            ? "U8S8 (uint8 activations, "
            : "S8S8 (int8 activations, ";
    String weights =
        (scheme.reduceRange() ? "7-bit " : "int8 ")
            + (scheme.perChannelWeights() ? "per-channel" : "per-tensor")
            + " weights)";
    return "int8 static QDQ, " + types + weights + ", " + method.describe();
  }
}
