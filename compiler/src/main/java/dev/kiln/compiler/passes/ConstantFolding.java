package dev.kiln.compiler.passes;

import dev.kiln.compiler.ir.Graphs;
import dev.kiln.compiler.ir.Tensors;
import dev.kiln.compiler.ir.proto.AttributeProto;
import dev.kiln.compiler.ir.proto.GraphProto;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.NodeProto;
import dev.kiln.compiler.ir.proto.TensorProto;
import dev.kiln.compiler.ir.proto.TensorShapeProto;
import dev.kiln.compiler.ir.proto.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Evaluates nodes whose inputs are all constant and replaces them with initializers. Exporters
 * leave many such chains behind (shape arithmetic for Reshape, weight transposes, scalar math), and
 * every one of them would otherwise run on the device for each inference.
 *
 * <p>Constants are initializers that are not also graph inputs (those are overridable defaults) and
 * the outputs of nodes folded earlier in the same walk. {@code Shape} also folds when its input is
 * a graph input whose declared shape is fully static, as after shape specialization: ONNX Runtime
 * rejects inputs that do not match fixed dimensions, so the result cannot differ.
 *
 * <p>Only top-level nodes are folded, and never a node that produces a graph output, so the model's
 * interface keeps its names and producers.
 */
public final class ConstantFolding implements GraphPass {
  /** Larger results are left to run: folding them would bloat the artifact. */
  static final long MAX_FOLDED_ELEMENTS = 1L << 24;

  @Override
  public String name() {
    return "ConstantFolding";
  }

  @Override
  public PassResult apply(ModelProto.Builder model) {
    GraphProto.Builder graph = model.getGraphBuilder();
    int before = graph.getNodeCount();
    if (model.getIrVersion() < 4) {
      // Before IR 4 every initializer had to be a graph input, which would make them overridable.
      return PassResult.unchanged(name(), before);
    }
    long opset = Graphs.opsetVersion(model, Graphs.DEFAULT_DOMAIN);
    GraphIndex index = new GraphIndex(graph);
    Map<String, ConstTensor> values = new HashMap<>();
    Map<String, long[]> staticShapes = staticInputShapes(graph, index);
    List<NodeProto> kept = new ArrayList<>();
    List<TensorProto> added = new ArrayList<>();
    Map<String, Integer> folded = new TreeMap<>();
    for (NodeProto node : graph.getNodeList()) {
      List<TensorProto> result = fold(node, opset, index, values, staticShapes);
      if (result == null) {
        kept.add(node);
      } else {
        added.addAll(result);
        folded.merge(node.getOpType(), 1, Integer::sum);
      }
    }
    if (folded.isEmpty()) {
      return PassResult.unchanged(name(), before);
    }
    graph.clearNode().addAllNode(kept).addAllInitializer(added);
    return new PassResult(name(), true, before, graph.getNodeCount(), "folded " + summary(folded));
  }

  /** The initializers replacing the node, or null to keep it. */
  private static List<TensorProto> fold(
      NodeProto node,
      long opset,
      GraphIndex index,
      Map<String, ConstTensor> values,
      Map<String, long[]> staticShapes) {
    if (!Graphs.isDefaultDomain(node.getDomain())
        || node.getOutputCount() != 1
        || index.graphOutputs.contains(node.getOutput(0))
        || (opset < 7 && !node.getOpType().equals("Constant"))) {
      return null;
    }
    String out = node.getOutput(0);
    if (node.getOpType().equals("Constant")) {
      return foldConstantNode(node, out, values);
    }
    if (node.getOpType().equals("Shape")) {
      long[] dims = knownDims(node.getInput(0), index, values, staticShapes);
      return dims == null ? null : remember(out, FoldKernels.shapeOf(node, dims), values);
    }
    if (!FoldKernels.OPS.contains(node.getOpType()) || node.getInputCount() == 0) {
      return null;
    }
    List<ConstTensor> inputs = new ArrayList<>();
    for (String in : node.getInputList()) {
      if (in.isEmpty()) {
        inputs.add(null);
        continue;
      }
      ConstTensor v = constantValue(in, index, values);
      if (v == null) {
        return null;
      }
      inputs.add(v);
    }
    if (inputs.get(0) == null) {
      return null;
    }
    ConstTensor result = FoldKernels.eval(node, inputs, opset);
    if (result == null || result.size() > MAX_FOLDED_ELEMENTS) {
      return null;
    }
    return remember(out, result, values);
  }

  private static List<TensorProto> foldConstantNode(
      NodeProto node, String out, Map<String, ConstTensor> values) {
    if (node.getAttributeCount() == 1 && node.getAttribute(0).getName().equals("value")) {
      // Any dtype moves over as-is; only types Kiln can compute with feed further folding.
      TensorProto t = node.getAttribute(0).getT().toBuilder().setName(out).build();
      if (ConstTensor.isSupported(t.getDataType()) && Tensors.isReadable(t)) {
        values.put(out, ConstTensor.of(t));
      }
      return List.of(t);
    }
    AttributeProto only = node.getAttributeCount() == 1 ? node.getAttribute(0) : null;
    if (only == null
        || !only.getName().startsWith("value_")
        || only.getName().startsWith("value_s")) {
      return null; // sparse_value and strings stay as nodes
    }
    ConstTensor v = FoldKernels.eval(node, List.of(), 0);
    return v == null ? null : remember(out, v, values);
  }

  private static List<TensorProto> remember(
      String out, ConstTensor value, Map<String, ConstTensor> values) {
    values.put(out, value);
    return List.of(value.toProto(out));
  }

  private static ConstTensor constantValue(
      String name, GraphIndex index, Map<String, ConstTensor> values) {
    ConstTensor v = values.get(name);
    if (v != null) {
      return v;
    }
    TensorProto t = index.readableConstant(name);
    if (t == null || !ConstTensor.isSupported(t.getDataType())) {
      return null;
    }
    v = ConstTensor.of(t);
    values.put(name, v);
    return v;
  }

  private static long[] knownDims(
      String name, GraphIndex index, Map<String, ConstTensor> values, Map<String, long[]> shapes) {
    ConstTensor v = values.get(name);
    if (v != null) {
      return v.dims();
    }
    TensorProto t = index.constants.get(name);
    if (t != null) {
      return t.getDimsList().stream().mapToLong(Long::longValue).toArray();
    }
    return shapes.get(name);
  }

  private static Map<String, long[]> staticInputShapes(GraphProto.Builder graph, GraphIndex index) {
    Map<String, long[]> shapes = new HashMap<>();
    for (ValueInfoProto vi : graph.getInputList()) {
      if (index.constants.containsKey(vi.getName())
          || !vi.getType().hasTensorType()
          || !vi.getType().getTensorType().hasShape()) {
        continue;
      }
      List<TensorShapeProto.Dimension> dims = vi.getType().getTensorType().getShape().getDimList();
      long[] out = new long[dims.size()];
      boolean known = true;
      for (int i = 0; i < out.length; i++) {
        known &= dims.get(i).hasDimValue() && dims.get(i).getDimValue() > 0;
        out[i] = dims.get(i).getDimValue();
      }
      if (known) {
        shapes.put(vi.getName(), out);
      }
    }
    return shapes;
  }

  private static String summary(Map<String, Integer> folded) {
    StringBuilder sb = new StringBuilder();
    int total = 0;
    for (Map.Entry<String, Integer> e : folded.entrySet()) {
      sb.append(sb.length() == 0 ? "" : ", ").append(e.getValue()).append(' ').append(e.getKey());
      total += e.getValue();
    }
    return total + " nodes (" + sb + ")";
  }
}
