package dev.kiln.compiler.quant;

import dev.kiln.compiler.ir.Graphs;
import dev.kiln.compiler.ir.Tensors;
import dev.kiln.compiler.ir.proto.AttributeProto;
import dev.kiln.compiler.ir.proto.GraphProto;
import dev.kiln.compiler.ir.proto.NodeProto;
import dev.kiln.compiler.ir.proto.TensorProto;
import dev.kiln.compiler.ir.proto.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes the QDQ graph a {@link QdqPlan} describes, in the shape ONNX Runtime's QDQ fusion
 * recognizes: each 8-bit tensor has one QuantizeLinear right after its producer, and every reader
 * gets its own DequantizeLinear, so a quantized node's output feeds nothing but its QuantizeLinear.
 * Weights become int8 initializers behind a per-channel DequantizeLinear, biases int32.
 */
final class QdqWriter {
  private final QdqPlan plan;
  private final ActivationParams params;
  private final Int8Scheme scheme;
  private final Names names;
  private final List<NodeProto> nodes = new ArrayList<>();
  private final List<TensorProto> initializers = new ArrayList<>();

  /** Tensor -> its 8-bit value, and the scale and zero-point initializers. */
  private final Map<String, String[]> quantizedName = new HashMap<>();

  private final Set<String> graphOutputs = new HashSet<>();

  QdqWriter(QdqPlan plan, ActivationParams params, Int8Scheme scheme) {
    this.plan = plan;
    this.params = params;
    this.scheme = scheme;
    this.names = new Names(plan.graph);
    plan.graph.getOutputList().forEach(v -> graphOutputs.add(v.getName()));
  }

  GraphProto write() {
    for (ValueInfoProto in : plan.graph.getInputList()) {
      if (plan.quantizedTensors.contains(in.getName())) {
        quantize(in.getName(), in.getName());
      }
    }
    for (int i = 0; i < plan.graph.getNodeCount(); i++) {
      if (!plan.folded.containsKey(i)) {
        emit(i, plan.graph.getNode(i));
      }
    }
    // value_info would still describe tensors the rewrite renamed; ORT infers it again anyway.
    GraphProto.Builder g = plan.graph.toBuilder().clearNode().clearValueInfo().addAllNode(nodes);
    g.addAllInitializer(initializers);
    return withoutUnusedInitializers(g);
  }

  private void emit(int index, NodeProto original) {
    NodeProto.Builder node = original.toBuilder();
    boolean isInt8 = plan.quantized.contains(index);
    OpRole role = isInt8 ? OpRole.of(original.getOpType()) : null;
    for (int k = 0; k < node.getInputCount(); k++) {
      String in = node.getInput(k);
      InputKind kind =
          isInt8 ? InputKind.of(original, k, role, plan.constants.keySet()) : InputKind.OTHER;
      switch (kind) {
        case WEIGHT -> node.setInput(k, weight(original, in));
        case BIAS -> node.setInput(k, bias(original, in));
        case CONSTANT_ACTIVATION -> node.setInput(k, constantActivation(in));
        default -> {
          if (plan.quantizedTensors.contains(in)) {
            node.setInput(k, dequantize(in));
          }
        }
      }
    }
    for (int k = 0; k < node.getOutputCount(); k++) {
      String renamed = plan.outputRenames.get(node.getOutput(k));
      if (renamed != null) {
        node.setOutput(k, renamed);
      }
    }
    String out = node.getOutputCount() > 0 ? node.getOutput(0) : "";
    boolean quantizeOut = plan.quantizedTensors.contains(out);
    String written = quantizeOut && graphOutputs.contains(out) ? names.fresh(out + "_fp32") : out;
    if (!out.isEmpty()) {
      node.setOutput(0, written);
    }
    nodes.add(node.build());
    if (quantizeOut) {
      quantize(out, written);
      if (!written.equals(out)) {
        nodes.add(dq(quantizedName.get(out), out, null));
      }
    }
  }

  /** Adds QuantizeLinear for tensor {@code name}, whose float value is {@code source}. */
  private void quantize(String name, String source) {
    QuantParams p = params.of(name);
    String scale = names.fresh(name + "_scale");
    String zp = names.fresh(name + "_zero_point");
    initializers.add(QuantTensors.scales(scale, new float[] {p.scale()}));
    initializers.add(QuantTensors.zeroPoints(zp, new int[] {p.zeroPoint()}, params.type()));
    String q = names.fresh(name + "_quantized");
    nodes.add(
        NodeProto.newBuilder()
            .setOpType("QuantizeLinear")
            .setName(names.fresh(name + "_QuantizeLinear"))
            .addInput(source)
            .addInput(scale)
            .addInput(zp)
            .addOutput(q)
            .build());
    quantizedName.put(name, new String[] {q, scale, zp});
  }

  private String dequantize(String name) {
    String out = names.fresh(name + "_dequantized");
    nodes.add(dq(quantizedName.get(name), out, null));
    return out;
  }

  private NodeProto dq(String[] qScaleZp, String out, Long axis) {
    NodeProto.Builder b =
        NodeProto.newBuilder()
            .setOpType("DequantizeLinear")
            .setName(names.fresh(out + "_DequantizeLinear"))
            .addInput(qScaleZp[0])
            .addInput(qScaleZp[1])
            .addInput(qScaleZp[2])
            .addOutput(out);
    if (axis != null) {
      b.addAttribute(
          AttributeProto.newBuilder()
              .setName("axis")
              .setType(AttributeProto.AttributeType.INT)
              .setI(axis));
    }
    return b.build();
  }

  /** The scales of the weight just written: the next input of the same node is its bias. */
  private float[] lastWeightScales;

  private String weight(NodeProto node, String name) {
    TensorProto w = plan.constants.get(name);
    long[] dims = Tensors.dims(w);
    int axis = weightAxis(node, dims);
    ChannelWeights q =
        ChannelWeights.quantize(
            Tensors.toFloats(w), dims, axis, scheme.perChannelWeights(), scheme.reduceRange());
    lastWeightScales = q.scales();
    String base = names.fresh(name + "_quantized");
    String[] qsz = {base, names.fresh(name + "_scale"), names.fresh(name + "_zero_point")};
    initializers.add(QuantTensors.int8(qsz[0], dims, q.values()));
    initializers.add(QuantTensors.scales(qsz[1], q.scales()));
    initializers.add(
        QuantTensors.zeroPoints(qsz[2], new int[q.scales().length], ActivationType.INT8));
    String out = names.fresh(name + "_dequantized");
    nodes.add(dq(qsz, out, q.scales().length > 1 ? (long) axis : null));
    return out;
  }

  /** The axis of output channels: Conv 0, MatMul the last, Gemm 0 with transB else 1. */
  private static int weightAxis(NodeProto node, long[] dims) {
    return switch (node.getOpType()) {
      case "Conv" -> 0;
      case "Gemm" -> QdqPlan.attrInt(node, "transB", 0) != 0 ? 0 : 1;
      default -> dims.length - 1;
    };
  }

  private String bias(NodeProto node, String name) {
    float[] b = Tensors.toFloats(plan.constants.get(name));
    float inputScale = params.of(node.getInput(0)).scale();
    float[] ws = lastWeightScales;
    float[] scales = new float[b.length];
    int[] q = new int[b.length];
    for (int c = 0; c < b.length; c++) {
      scales[c] = inputScale * (ws.length == 1 ? ws[0] : ws[c]);
      double v = Math.rint(b[c] / scales[c]);
      q[c] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
    }
    String[] qsz = {
      names.fresh(name + "_quantized"), names.fresh(name + "_scale"), names.fresh(name + "_zp")
    };
    initializers.add(Tensors.ofInts(qsz[0], new long[] {b.length}, q));
    initializers.add(Tensors.ofFloats(qsz[1], new long[] {b.length}, scales));
    initializers.add(Tensors.ofInts(qsz[2], new long[] {b.length}, new int[b.length]));
    String out = names.fresh(name + "_dequantized");
    nodes.add(dq(qsz, out, 0L));
    return out;
  }

  private String constantActivation(String name) {
    TensorProto t = plan.constants.get(name);
    float[] values = Tensors.toFloats(t);
    QuantParams p = params.ofConstant(values);
    String[] qsz = {
      names.fresh(name + "_quantized"), names.fresh(name + "_scale"), names.fresh(name + "_zp")
    };
    initializers.add(
        QuantTensors.ofBytes(
            qsz[0], Tensors.dims(t), p.quantize(values, params.type()), params.type()));
    initializers.add(QuantTensors.scales(qsz[1], new float[] {p.scale()}));
    initializers.add(QuantTensors.zeroPoints(qsz[2], new int[] {p.zeroPoint()}, params.type()));
    String out = names.fresh(name + "_dequantized");
    nodes.add(dq(qsz, out, null));
    return out;
  }

  private static GraphProto withoutUnusedInitializers(GraphProto.Builder g) {
    Set<String> used = Graphs.consumedNames(g);
    g.getOutputList().forEach(v -> used.add(v.getName()));
    g.getInputList().forEach(v -> used.add(v.getName()));
    List<TensorProto> kept =
        g.getInitializerList().stream().filter(t -> used.contains(t.getName())).toList();
    return g.clearInitializer().addAllInitializer(kept).build();
  }
}
