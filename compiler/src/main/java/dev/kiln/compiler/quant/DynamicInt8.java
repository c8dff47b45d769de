package dev.kiln.compiler.quant;

import dev.kiln.compiler.ir.Tensors;
import dev.kiln.compiler.ir.proto.AttributeProto;
import dev.kiln.compiler.ir.proto.GraphProto;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.NodeProto;
import dev.kiln.compiler.ir.proto.TensorProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Dynamic int8 for MatMul and Gemm with constant weights: int8 per-column weights, activations
 * quantized to uint8 at run time. Each node becomes DynamicQuantizeLinear -> MatMulInteger -> Cast
 * -> Mul(a_scale * b_scale) [-> Add bias], the chain ONNX Runtime fuses into MatMulIntegerToFloat
 * and then DynamicQuantizeMatMul. No calibration needed.
 */
final class DynamicInt8 {
  private final GraphProto graph;
  private final Int8Scheme scheme;
  private final Names names;
  private final Map<String, TensorProto> constants = new HashMap<>();
  private final Set<String> floats;
  private final List<NodeProto> nodes = new ArrayList<>();
  private final List<TensorProto> initializers = new ArrayList<>();
  private final List<NodePrecision> rows = new ArrayList<>();

  private DynamicInt8(GraphProto graph, Int8Scheme scheme) {
    this.graph = graph;
    this.scheme = scheme;
    this.names = new Names(graph);
    this.floats = FloatTensors.of(graph);
    Set<String> inputs = new java.util.HashSet<>();
    graph.getInputList().forEach(v -> inputs.add(v.getName()));
    graph.getInitializerList().stream()
        .filter(t -> !inputs.contains(t.getName()))
        .forEach(t -> constants.put(t.getName(), t));
  }

  static ReducedModel quantize(ModelProto fp32, Int8Scheme scheme, Set<String> keepFp32) {
    ModelProto model = OpsetUpgrade.toRequired(fp32);
    DynamicInt8 d = new DynamicInt8(model.getGraph(), scheme);
    for (NodeProto node : model.getGraph().getNodeList()) {
      String refusal =
          keepFp32.contains(node.getName()) ? "kept in fp32 on request" : d.refusal(node);
      if (refusal == null) {
        d.rewrite(node);
      } else {
        d.nodes.add(node);
        d.rows.add(new NodePrecision(node.getName(), node.getOpType(), Precision.FP32, refusal));
      }
    }
    GraphProto.Builder g =
        model.getGraph().toBuilder()
            .clearNode()
            .addAllNode(d.nodes)
            .addAllInitializer(d.initializers);
    Set<String> used = dev.kiln.compiler.ir.Graphs.consumedNames(g);
    List<TensorProto> kept =
        g.getInitializerList().stream().filter(t -> used.contains(t.getName())).toList();
    g.clearInitializer().addAllInitializer(kept);
    String why =
        "int8 dynamic (uint8 activations quantized at run time, int8 "
            + (scheme.reduceRange() ? "7-bit " : "")
            + "per-column weights), MatMul/Gemm only";
    return new ReducedModel(model.toBuilder().setGraph(g).build(), d.rows, why);
  }

  private String refusal(NodeProto node) {
    String op = node.getOpType();
    if (!op.equals("MatMul") && !op.equals("Gemm")) {
      return "dynamic int8 covers MatMul and Gemm only";
    }
    if (!floats.contains(node.getInput(0))) {
      return "input is not float32";
    }
    TensorProto w = constants.get(node.getInput(1));
    if (w == null || !Tensors.isReadable(w) || Tensors.dims(w).length != 2) {
      return "weights are not a constant 2-D float32 tensor";
    }
    if (op.equals("Gemm")) {
      if (QdqPlan.attrFloat(node, "alpha", 1f) != 1f
          || QdqPlan.attrFloat(node, "beta", 1f) != 1f
          || QdqPlan.attrInt(node, "transA", 0) != 0) {
        return "Gemm with alpha, beta or transA";
      }
      if (node.getInputCount() > 2 && !node.getInput(2).isEmpty()) {
        TensorProto c = constants.get(node.getInput(2));
        if (c == null || !Tensors.isReadable(c) || Tensors.dims(c).length != 1) {
          return "Gemm bias is not a constant 1-D tensor";
        }
      }
    }
    return null;
  }

  private void rewrite(NodeProto node) {
    String x = node.getInput(0);
    String base = node.getName().isEmpty() ? node.getOutput(0) : node.getName();
    String xq = names.fresh(base + "_x_quantized");
    String xs = names.fresh(base + "_x_scale");
    String xzp = names.fresh(base + "_x_zero_point");
    nodes.add(node("DynamicQuantizeLinear", base, List.of(x), List.of(xq, xs, xzp)));

    TensorProto w = constants.get(node.getInput(1));
    long[] dims = Tensors.dims(w);
    float[] values = Tensors.toFloats(w);
    if (node.getOpType().equals("Gemm") && QdqPlan.attrInt(node, "transB", 0) != 0) {
      values = transpose(values, (int) dims[0], (int) dims[1]);
      dims = new long[] {dims[1], dims[0]};
    }
    ChannelWeights q =
        ChannelWeights.quantize(values, dims, 1, scheme.perChannelWeights(), scheme.reduceRange());
    String wq = names.fresh(node.getInput(1) + "_quantized");
    String wzp = names.fresh(node.getInput(1) + "_zero_point");
    String ws = names.fresh(node.getInput(1) + "_scale");
    initializers.add(QuantTensors.int8(wq, dims, q.values()));
    initializers.add(QuantTensors.zeroPoints(wzp, new int[q.scales().length], ActivationType.INT8));
    initializers.add(QuantTensors.scales(ws, q.scales()));

    String yi = names.fresh(base + "_int32");
    nodes.add(node("MatMulInteger", base, List.of(xq, wq, xzp, wzp), List.of(yi)));
    String yf = names.fresh(base + "_int32_float");
    NodeProto cast = node("Cast", base, List.of(yi), List.of(yf));
    nodes.add(
        cast.toBuilder()
            .addAttribute(
                AttributeProto.newBuilder()
                    .setName("to")
                    .setType(AttributeProto.AttributeType.INT)
                    .setI(TensorProto.DataType.FLOAT_VALUE))
            .build());
    String scale = names.fresh(base + "_output_scale");
    nodes.add(node("Mul", base + "_scale", List.of(xs, ws), List.of(scale)));
    boolean hasBias = node.getInputCount() > 2 && !node.getInput(2).isEmpty();
    String out = node.getOutput(0);
    String scaled = hasBias ? names.fresh(base + "_no_bias") : out;
    nodes.add(node("Mul", base, List.of(yf, scale), List.of(scaled)));
    if (hasBias) {
      nodes.add(node("Add", base + "_bias", List.of(scaled, node.getInput(2)), List.of(out)));
    }
    rows.add(
        new NodePrecision(
            node.getName(),
            node.getOpType(),
            Precision.INT8,
            "dynamic: ORT fuses it into DynamicQuantizeMatMul"));
  }

  private NodeProto node(String op, String base, List<String> in, List<String> out) {
    return NodeProto.newBuilder()
        .setOpType(op)
        .setName(names.fresh(base + "_" + op))
        .addAllInput(in)
        .addAllOutput(out)
        .build();
  }

  private static float[] transpose(float[] v, int rows, int cols) {
    float[] t = new float[v.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = v[r * cols + c];
      }
    }
    return t;
  }
}
