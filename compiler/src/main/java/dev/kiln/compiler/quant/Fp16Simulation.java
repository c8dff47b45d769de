package dev.kiln.compiler.quant;

import dev.kiln.compiler.ir.proto.GraphProto;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.NodeProto;
import dev.kiln.compiler.ir.proto.TensorProto;
import dev.kiln.compiler.ir.proto.TensorProto.DataType;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Builds the fp32 stand-in for an fp16 model: every weight an fp16 node reads is rounded to fp16
 * and stored back as float, and each value an fp16 node reads or writes passes through
 * Cast(to=FLOAT16) then Cast(to=FLOAT). ONNX Runtime's CPU provider runs it, so each op boundary
 * sees exactly the rounding an fp16 engine applies there (round to nearest even, overflow to
 * infinity).
 *
 * <p>What it does not model: inside a kernel this computes in fp32. An fp16 engine may accumulate a
 * Conv or MatMul in fp16 (cuBLAS and cuDNN choose per kernel; tensor cores accumulate in fp32), and
 * may fuse ops so that an intermediate never gets rounded. So the simulation bounds the error from
 * storing weights and activations in fp16, not every error a given GPU adds.
 */
final class Fp16Simulation {
  private static final int FLOAT = DataType.FLOAT_VALUE;
  private static final int FLOAT16 = DataType.FLOAT16_VALUE;

  private Fp16Simulation() {}

  static ModelProto build(ModelProto fp32, Set<String> keepFp32) {
    GraphProto graph = fp32.getGraph();
    // Inputs stay float, as a client sends them; fp16 nodes see them rounded, as through the
    // converter's edge Cast.
    Fp16Plan plan = Fp16Plan.of(graph, keepFp32, false);
    GraphNames names = new GraphNames(graph);
    GraphProto.Builder out = graph.toBuilder().clearNode().clearInitializer();
    for (TensorProto t : graph.getInitializerList()) {
      out.addInitializer(plan.fp16Home.contains(t.getName()) ? Fp16Tensors.rounded(t).tensor() : t);
    }
    // Values the converter casts to fp16 on the way into an fp16 node: rounded copies.
    Map<String, String> roundedCopies = new HashMap<>();
    for (int i = 0; i < graph.getNodeCount(); i++) {
      NodeProto node = graph.getNode(i);
      NodeProto.Builder b = node.toBuilder();
      for (int s = 0; s < node.getInputCount(); s++) {
        String v = node.getInput(s);
        if (!v.isEmpty() && plan.readsFp16(i, s) && !plan.fp16Home.contains(v)) {
          b.setInput(
              s,
              roundedCopies.computeIfAbsent(
                  v, k -> roundTrip(k, names.fresh(k + "_fp16sim"), names, out)));
        }
      }
      // Outputs held in fp16: produce under a raw name, round into the original name.
      Map<String, String> raw = new HashMap<>();
      for (int o = 0; o < b.getOutputCount(); o++) {
        String v = b.getOutput(o);
        if (!v.isEmpty() && plan.fp16Home.contains(v)) {
          String rawName = names.fresh(v + "_fp32raw");
          raw.put(rawName, v);
          b.setOutput(o, rawName);
        }
      }
      out.addNode(b);
      raw.forEach((rawName, v) -> roundTrip(rawName, v, names, out));
    }
    return fp32.toBuilder().setGraph(out).build();
  }

  /** Adds Cast(to=FLOAT16) then Cast(to=FLOAT) from {@code in} to {@code result}. */
  private static String roundTrip(
      String in, String result, GraphNames names, GraphProto.Builder out) {
    String half = names.fresh(result + "_half");
    out.addNode(names.cast(in, half, FLOAT16));
    out.addNode(names.cast(half, result, FLOAT));
    return result;
  }
}
