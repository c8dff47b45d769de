package dev.kiln.compiler.quant;

import dev.kiln.compiler.ir.Graphs;
import dev.kiln.compiler.ir.OpSupport;
import dev.kiln.compiler.ir.proto.GraphProto;
import dev.kiln.compiler.ir.proto.NodeProto;
import dev.kiln.compiler.ir.proto.TensorProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which nodes of a top-level graph compute in fp16 and which stay fp32, and why. {@link
 * Fp16Converter#convert} and {@link Fp16Converter#simulate} share it, so the simulation rounds
 * exactly where the converted model computes in fp16.
 *
 * <p>A node stays fp32 when it is asked to, when ONNX Runtime's CUDA provider has no fp16 kernel
 * for it, when it has subgraphs, or when it computes a shape (fp16 holds integers exactly only up
 * to 2048, so a 4000-pixel side would come out wrong). Constants and initializers follow their
 * readers: fp16 when any reader computes in fp16.
 */
final class Fp16Plan {
  /**
   * In ONNX Runtime 1.21's CUDA kernel table these ops take float but not float16 (Range has no
   * float16 in the ONNX spec at all). They would fall back to the CPU or fail to load.
   */
  static final Set<String> NO_CUDA_FP16 =
      Set.of("Range", "NonMaxSuppression", "RoiAlign", "EyeLike", "GridSample");

  /** Input slots that stay float whatever the node computes in: Resize's roi and scales. */
  static final Map<String, Set<Integer>> FLOAT_ONLY_INPUTS =
      Map.of("Resize", Set.of(1, 2), "Upsample", Set.of(1));

  private static final Set<String> SHAPE_SOURCES = Set.of("Shape", "Size");

  /** Ops that read a shape but produce data: what follows them is not shape arithmetic. */
  private static final Set<String> SHAPE_CONSUMERS = Set.of("ConstantOfShape");

  final GraphProto graph;
  final ValueTypes types;
  final List<NodePrecision> nodes = new ArrayList<>();
  private final Set<String> initializers = new HashSet<>();
  private final Set<String> graphInputs = new HashSet<>();

  /** Float values that are held in fp16 where they are produced (or stored). */
  final Set<String> fp16Home = new HashSet<>();

  private Fp16Plan(GraphProto graph) {
    this.graph = graph;
    this.types = ValueTypes.of(graph);
  }

  static Fp16Plan of(GraphProto graph, Set<String> keepFp32, boolean fp16Inputs) {
    Fp16Plan plan = new Fp16Plan(graph);
    graph.getInitializerList().forEach(t -> plan.initializers.add(t.getName()));
    graph.getInputList().forEach(vi -> plan.graphInputs.add(vi.getName()));
    plan.initializers.removeAll(plan.graphInputs);
    plan.decide(keepFp32);
    plan.placeValues(fp16Inputs);
    return plan;
  }

  boolean isFp16(int node) {
    return nodes.get(node).precision() == Precision.FP16;
  }

  /** True when input slot {@code slot} of node {@code index} reads fp16. */
  boolean readsFp16(int index, int slot) {
    NodeProto node = graph.getNode(index);
    String name = node.getInput(slot);
    return isFp16(index)
        && types.isFloat(name)
        && !FLOAT_ONLY_INPUTS.getOrDefault(node.getOpType(), Set.of()).contains(slot);
  }

  boolean isInitializer(String name) {
    return initializers.contains(name);
  }

  private void decide(Set<String> keepFp32) {
    Set<String> shapeValues = shapeValues();
    OpSupport cuda = OpSupport.load(OpSupport.Target.CUDA);
    for (NodeProto node : graph.getNodeList()) {
      String op = node.getOpType();
      String reason;
      if (types.floatValues(node).isEmpty()) {
        reason = "no float tensors";
      } else if (keepFp32.contains(node.getName())) {
        reason = "kept in fp32 on request";
      } else if (!Graphs.subgraphs(node).isEmpty()) {
        reason = "has subgraphs; they stay fp32";
      } else if (!Graphs.isDefaultDomain(node.getDomain())) {
        reason = "op of domain " + node.getDomain() + ": fp16 support unknown";
      } else if (NO_CUDA_FP16.contains(op)) {
        reason = "no fp16 kernel for " + op + " in ONNX Runtime's CUDA provider";
      } else if (!cuda.supports("", op)) {
        reason = "no CUDA kernel: runs on the CPU provider, which has few fp16 kernels";
      } else if (computesShape(node, shapeValues)) {
        reason = "computes a shape; fp16 is exact for integers up to 2048 only";
      } else {
        reason = null;
      }
      nodes.add(
          new NodePrecision(
              node.getName(),
              op,
              reason == null ? Precision.FP16 : Precision.FP32,
              reason == null ? "fp16" : reason));
    }
  }

  /** Values computed from tensor shapes alone (Shape, then arithmetic with constants). */
  private Set<String> shapeValues() {
    Set<String> constants = new HashSet<>(initializers);
    Set<String> shape = new HashSet<>();
    for (NodeProto node : graph.getNodeList()) {
      if (node.getOpType().equals("Constant")) {
        constants.addAll(node.getOutputList());
        continue;
      }
      boolean fromShape = SHAPE_SOURCES.contains(node.getOpType());
      if (!fromShape
          && !SHAPE_CONSUMERS.contains(node.getOpType())
          && !node.getInputList().isEmpty()) {
        boolean allKnown = true;
        boolean anyShape = false;
        for (String in : node.getInputList()) {
          if (in.isEmpty()) {
            continue;
          }
          anyShape |= shape.contains(in);
          allKnown &= shape.contains(in) || constants.contains(in);
        }
        fromShape = allKnown && anyShape;
      }
      if (fromShape) {
        shape.addAll(node.getOutputList());
      }
    }
    return shape;
  }

  private static boolean computesShape(NodeProto node, Set<String> shapeValues) {
    for (String out : node.getOutputList()) {
      if (shapeValues.contains(out)) {
        return true;
      }
    }
    return false;
  }

  /** Decides where each float value lives: produced by an fp16 node, or read by one when stored. */
  private void placeValues(boolean fp16Inputs) {
    Set<String> readAsFp16 = new HashSet<>();
    for (int i = 0; i < graph.getNodeCount(); i++) {
      NodeProto node = graph.getNode(i);
      for (int s = 0; s < node.getInputCount(); s++) {
        if (!node.getInput(s).isEmpty() && readsFp16(i, s)) {
          readAsFp16.add(node.getInput(s));
        }
      }
    }
    for (TensorProto t : graph.getInitializerList()) {
      if (isInitializer(t.getName())
          && ValueTypes.isFloatTensor(t)
          && readAsFp16.contains(t.getName())) {
        fp16Home.add(t.getName());
      }
    }
    if (fp16Inputs) {
      graphInputs.stream().filter(types::isFloat).forEach(fp16Home::add);
    }
    for (int i = 0; i < graph.getNodeCount(); i++) {
      NodeProto node = graph.getNode(i);
      boolean constant = node.getOpType().equals("Constant");
      for (String out : node.getOutputList()) {
        if (!out.isEmpty() && types.isFloat(out)) {
          // A Constant follows its readers, like an initializer.
          if (constant ? readAsFp16.contains(out) : isFp16(i)) {
            fp16Home.add(out);
          } else if (constant && isFp16(i)) {
            nodes.set(
                i,
                new NodePrecision(
                    node.getName(), "Constant", Precision.FP32, "read by fp32 nodes only"));
          }
        }
      }
    }
  }
}
