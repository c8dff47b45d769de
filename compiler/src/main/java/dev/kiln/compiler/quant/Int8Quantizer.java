package dev.kiln.compiler.quant;

import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ort.HostTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Quantizes an fp32 model to int8 on Kiln's IR. */
public final class Int8Quantizer {
  private Int8Quantizer() {}

  /**
   * @param fp32 the optimized fp32 model (after Kiln's passes)
   * @param calibration samples to calibrate on (static); may be empty for DYNAMIC
   * @param keepFp32 node names that must stay fp32 (the sensitivity pass fills this)
   */
  public static ReducedModel quantize(
      ModelProto fp32,
      List<Map<String, HostTensor>> calibration,
      Int8Scheme scheme,
      CalibrationMethod method,
      Set<String> keepFp32) {
    // First commit: the API only. Every node stays fp32 until the rewrite lands.
    List<NodePrecision> nodes = new ArrayList<>();
    fp32.getGraph()
        .getNodeList()
        .forEach(
            n ->
                nodes.add(
                    new NodePrecision(n.getName(), n.getOpType(), Precision.FP32, "not yet")));
    return new ReducedModel(fp32, nodes, "fp32 (int8 not implemented yet)");
  }
}
