package dev.kiln.compiler.quant;

import dev.kiln.compiler.ir.Tensors;
import dev.kiln.compiler.ir.proto.AttributeProto;
import dev.kiln.compiler.ir.proto.GraphProto;
import dev.kiln.compiler.ir.proto.NodeProto;
import dev.kiln.compiler.ir.proto.TensorProto;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides, node by node in graph order, what static QDQ does: which nodes run in int8, which
 * Relu/Clip nodes fold into their producer's quantized output, which tensors get quantized, and why
 * every other node stays fp32.
 */
final class QdqPlan {
  final GraphProto graph;
  final Map<String, TensorProto> constants = new HashMap<>();

  /** Node index -> its precision row. */
  final Map<Integer, NodePrecision> rows = new LinkedHashMap<>();

  final Set<Integer> quantized = new HashSet<>();

  /** Folded Relu/Clip node index -> the producer it folds into. */
  final Map<Integer, Integer> folded = new HashMap<>();

  /** Producer output renamed to the folded activation's output. */
  final Map<String, String> outputRenames = new HashMap<>();

  /** Tensors carried as 8-bit between nodes (activations, after folding). */
  final Set<String> quantizedTensors = new HashSet<>();

  private final Set<String> floats;
  private final Map<String, Integer> consumerCount = new HashMap<>();
  private final Set<String> graphOutputs = new HashSet<>();
  private final Set<String> graphInputs = new HashSet<>();

  QdqPlan(GraphProto graph, Set<String> keepFp32, Set<String> calibrated) {
    this.graph = graph;
    this.floats = FloatTensors.of(graph);
    Set<String> inputs = new HashSet<>();
    graph.getInputList().forEach(v -> inputs.add(v.getName()));
    for (TensorProto t : graph.getInitializerList()) {
      if (!inputs.contains(t.getName())) {
        constants.put(t.getName(), t);
      }
    }
    graph.getOutputList().forEach(v -> graphOutputs.add(v.getName()));
    graphInputs.addAll(inputs);
    for (NodeProto n : graph.getNodeList()) {
      n.getInputList().forEach(in -> consumerCount.merge(in, 1, Integer::sum));
    }
    Map<String, Integer> producerOf = new HashMap<>();
    for (int i = 0; i < graph.getNodeCount(); i++) {
      NodeProto node = graph.getNode(i);
      decide(i, node, keepFp32, calibrated, producerOf);
      for (String out : node.getOutputList()) {
        producerOf.put(out, i);
      }
    }
  }

  private void decide(
      int i,
      NodeProto node,
      Set<String> keepFp32,
      Set<String> calibrated,
      Map<String, Integer> producerOf) {
    String op = node.getOpType();
    if (keepFp32.contains(node.getName())) {
      fp32(i, node, "kept in fp32 on request (sensitivity or keepFp32)");
      return;
    }
    if ((op.equals("Relu") || op.equals("Clip")) && tryFold(i, node, producerOf, calibrated)) {
      return;
    }
    OpRole role = OpRole.of(op);
    if (role == null) {
      fp32(i, node, "no int8 kernel for " + op + " in Kiln's static quantizer");
      return;
    }
    String refusal = refusal(node, role, calibrated);
    if (refusal != null) {
      fp32(i, node, refusal);
      return;
    }
    quantized.add(i);
    for (int k = 0; k < node.getInputCount(); k++) {
      if (InputKind.of(node, k, role, constants.keySet()) == InputKind.ACTIVATION) {
        quantizedTensors.add(node.getInput(k));
      }
    }
    // QGemm and MatMulIntegerToFloat can write float: a model's logits stay unrounded.
    boolean floatOutput =
        (op.equals("Gemm") || op.equals("MatMul")) && graphOutputs.contains(node.getOutput(0));
    if (!floatOutput) {
      quantizedTensors.add(node.getOutput(0));
    }
    String how =
        role.sharesInput()
            ? "shares its input's quantization; ORT drops the QDQ pair and runs it on 8-bit data"
            : "QDQ; ORT fuses it into " + role.fusedAs();
    rows.put(i, new NodePrecision(node.getName(), op, Precision.INT8, how));
  }

  /** Why {@code node} cannot run in int8, or null when it can. */
  private String refusal(NodeProto node, OpRole role, Set<String> calibrated) {
    if (node.getInputCount() == 0 || !floats.contains(node.getInput(0))) {
      return "input is not float32";
    }
    if (node.getOutputCount() != 1) {
      return "has more than one output";
    }
    if (role.sharesInput() && !quantizedTensors.contains(node.getInput(0))) {
      return "input stays fp32, so 8-bit data movement would only add rounding";
    }
    if (!role.sharesInput() && !calibrated.contains(node.getOutput(0))) {
      return "output has no calibration statistics";
    }
    for (int k = 0; k < node.getInputCount(); k++) {
      String in = node.getInput(k);
      InputKind kind = InputKind.of(node, k, role, constants.keySet());
      if (kind == InputKind.ACTIVATION && !floats.contains(in)) {
        return "input " + in + " is not float32";
      }
      if (kind == InputKind.ACTIVATION && !calibrated.contains(in)) {
        return "input " + in + " has no calibration statistics";
      }
      if (kind == InputKind.CONSTANT_ACTIVATION || kind == InputKind.WEIGHT) {
        if (!isReadableFloat(in)) {
          return "constant " + in + " is not a readable float32 tensor";
        }
      }
      if (kind == InputKind.BIAS && !isReadableFloat(in)) {
        return "bias " + in + " is not a constant float32 tensor";
      }
    }
    if (role.weightInput() != OpRole.NONE && !node.getOpType().equals("MatMul")) {
      if (node.getInputCount() <= role.weightInput()
          || !constants.containsKey(node.getInput(role.weightInput()))) {
        return "weights are not constant";
      }
    }
    if (node.getOpType().equals("Conv")) {
      return stemRefusal(node);
    }
    return node.getOpType().equals("Gemm") ? gemmRefusal(node) : null;
  }

  /**
   * A Conv that reads a graph input and sums fewer than {@value #STEM_MIN_PRODUCTS} products per
   * output (an RGB stem: 3 channels x 3x3) stays fp32. Its int8 kernel has too little work per
   * output to amortize the uint8 im2col and requantization, and the image's QuantizeLinear goes
   * away with it. Measured on an AVX-512 VNNI host, ORT 1.21, 2 threads, per-node profile of
   * mobilenet_v2: stem QLinearConv 0.74 ms vs fp32 0.43 ms; the whole int8 model's p50 0.49x of
   * fp32 with the stem in fp32 vs 0.56x all int8 (interleaved). resnet18's 7x7 stem (147 products)
   * measured faster in int8 (0.48x vs 0.54x with it in fp32), hence the bound.
   */
  private String stemRefusal(NodeProto node) {
    if (!graphInputs.contains(node.getInput(0)) || attrInt(node, "group", 1) != 1) {
      return null;
    }
    long[] w = Tensors.dims(constants.get(node.getInput(1)));
    long products = 1;
    for (int d = 1; d < w.length; d++) {
      products *= w[d];
    }
    if (w.length < 3 || products >= STEM_MIN_PRODUCTS) {
      return null;
    }
    return "stem Conv on a graph input with "
        + products
        + " products per output: int8 measured slower than fp32 for so little work per output";
  }

  static final int STEM_MIN_PRODUCTS = 64;

  private String gemmRefusal(NodeProto node) {
    if (attrFloat(node, "alpha", 1f) != 1f || attrFloat(node, "beta", 1f) != 1f) {
      return "Gemm with alpha or beta other than 1";
    }
    if (attrInt(node, "transA", 0) != 0) {
      return "Gemm with transA";
    }
    if (Tensors.dims(constants.get(node.getInput(1))).length != 2) {
      return "Gemm weights are not 2-D";
    }
    if (node.getInputCount() > 2 && Tensors.dims(constants.get(node.getInput(2))).length != 1) {
      return "Gemm bias is not 1-D";
    }
    return null;
  }

  private boolean tryFold(
      int i, NodeProto node, Map<String, Integer> producerOf, Set<String> calibrated) {
    String in = node.getInput(0);
    if (!calibrated.contains(node.getOutput(0))) {
      return false;
    }
    Integer p = producerOf.get(in);
    if (p == null
        || !quantized.contains(p)
        || OpRole.of(graph.getNode(p).getOpType()).sharesInput()) {
      return false;
    }
    if (consumerCount.getOrDefault(in, 0) != 1 || graphOutputs.contains(in)) {
      return false;
    }
    if (node.getOpType().equals("Clip") && !clipSpansZero(node)) {
      return false;
    }
    folded.put(i, p);
    outputRenames.put(in, node.getOutput(0));
    quantizedTensors.remove(in);
    quantizedTensors.add(node.getOutput(0));
    String producer = graph.getNode(p).getName();
    rows.put(
        i,
        new NodePrecision(
            node.getName(),
            node.getOpType(),
            Precision.INT8,
            "folded into " + producer + "'s quantized output range (QuantizeLinear clamps)"));
    return true;
  }

  /** A Clip whose bounds are constants with min <= 0 <= max clamps where quantization clamps. */
  private boolean clipSpansZero(NodeProto node) {
    float min = attrFloat(node, "min", Float.NEGATIVE_INFINITY);
    float max = attrFloat(node, "max", Float.POSITIVE_INFINITY);
    for (int k = 1; k < node.getInputCount() && k < 3; k++) {
      String name = node.getInput(k);
      if (name.isEmpty()) {
        continue;
      }
      if (!isReadableFloat(name)) {
        return false;
      }
      float v = Tensors.toFloats(constants.get(name))[0];
      if (k == 1) {
        min = v;
      } else {
        max = v;
      }
    }
    return min <= 0 && max >= 0;
  }

  private boolean isReadableFloat(String name) {
    TensorProto t = constants.get(name);
    return t != null
        && Tensors.isReadable(t)
        && t.getDataType() == TensorProto.DataType.FLOAT_VALUE;
  }

  private void fp32(int i, NodeProto node, String reason) {
    rows.put(i, new NodePrecision(node.getName(), node.getOpType(), Precision.FP32, reason));
  }

  List<NodePrecision> table() {
    return List.copyOf(rows.values());
  }

  static float attrFloat(NodeProto node, String name, float fallback) {
    for (AttributeProto a : node.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a.getF();
      }
    }
    return fallback;
  }

  static long attrInt(NodeProto node, String name, long fallback) {
    for (AttributeProto a : node.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a.getI();
      }
    }
    return fallback;
  }
}
