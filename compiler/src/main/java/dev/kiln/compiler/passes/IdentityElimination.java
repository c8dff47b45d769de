package dev.kiln.compiler.passes;

import dev.kiln.compiler.ir.Graphs;
import dev.kiln.compiler.ir.Tensors;
import dev.kiln.compiler.ir.proto.GraphProto;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.NodeProto;
import dev.kiln.compiler.ir.proto.TensorProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Removes Identity nodes, and Dropout nodes that are no-ops at inference, by pointing their
 * consumers at their input.
 *
 * <p>When the removed node's output is a graph output, its name is part of the model's interface
 * and must survive: the producer of the input is renamed to emit the output name instead. That is
 * only possible when the input comes from a node and is not itself a graph input or output;
 * otherwise the node stays.
 */
public final class IdentityElimination implements GraphPass {
  @Override
  public String name() {
    return "IdentityElimination";
  }

  @Override
  public PassResult apply(ModelProto.Builder model) {
    GraphProto.Builder graph = model.getGraphBuilder();
    int before = graph.getNodeCount();
    GraphIndex index = new GraphIndex(graph);
    Map<String, String> renames = new HashMap<>();
    Set<Integer> removed = new HashSet<>();
    Set<String> vanished = new HashSet<>();
    int identities = 0;
    int dropouts = 0;
    for (int i = 0; i < graph.getNodeCount(); i++) {
      NodeProto node = graph.getNode(i);
      if (!isPassThrough(node, index)) {
        continue;
      }
      String x = resolve(renames, node.getInput(0));
      String y = node.getOutput(0);
      if (!index.graphOutputs.contains(y)) {
        renames.put(y, x);
        vanished.add(y);
      } else if (index.producer.containsKey(x)
          && !index.graphOutputs.contains(x)
          && !index.graphInputs.contains(x)) {
        // y names the model's output: keep it by making x's producer emit y directly.
        renames.put(x, y);
        vanished.add(x);
      } else {
        continue;
      }
      removed.add(i);
      if (node.getOpType().equals("Identity")) {
        identities++;
      } else {
        dropouts++;
      }
    }
    if (removed.isEmpty()) {
      return PassResult.unchanged(name(), before);
    }
    Map<String, String> resolved = new HashMap<>();
    renames.keySet().forEach(k -> resolved.put(k, resolve(renames, k)));
    List<NodeProto> kept = new ArrayList<>();
    for (int i = 0; i < graph.getNodeCount(); i++) {
      if (removed.contains(i)) {
        continue;
      }
      NodeProto.Builder node = Graphs.renameInputs(graph.getNode(i), resolved).toBuilder();
      for (int o = 0; o < node.getOutputCount(); o++) {
        String to = resolved.get(node.getOutput(o));
        if (to != null && index.graphOutputs.contains(to)) {
          node.setOutput(o, to);
        }
      }
      kept.add(node.build());
    }
    graph.clearNode().addAllNode(kept);
    // Shapes recorded under vanished names would only confuse ONNX Runtime's inference.
    for (int i = graph.getValueInfoCount() - 1; i >= 0; i--) {
      if (vanished.contains(graph.getValueInfo(i).getName())) {
        graph.removeValueInfo(i);
      }
    }
    return new PassResult(
        name(),
        true,
        before,
        graph.getNodeCount(),
        "removed " + identities + " Identity and " + dropouts + " inference-time Dropout nodes");
  }

  private static String resolve(Map<String, String> renames, String name) {
    String current = name;
    for (int guard = 0; guard <= renames.size() && renames.containsKey(current); guard++) {
      current = renames.get(current);
    }
    return current;
  }

  private static boolean isPassThrough(NodeProto node, GraphIndex index) {
    if (!Graphs.isDefaultDomain(node.getDomain())
        || node.getInputCount() < 1
        || node.getInput(0).isEmpty()
        || node.getOutputCount() < 1
        || node.getOutput(0).isEmpty()) {
      return false;
    }
    return switch (node.getOpType()) {
      case "Identity" -> node.getInputCount() == 1 && node.getOutputCount() == 1;
      case "Dropout" -> isInferenceDropout(node, index);
      default -> false;
    };
  }

  /** Dropout is a no-op unless training_mode is set or its mask output is read. */
  private static boolean isInferenceDropout(NodeProto node, GraphIndex index) {
    for (int o = 1; o < node.getOutputCount(); o++) {
      String mask = node.getOutput(o);
      if (!mask.isEmpty() && (index.useCount(mask) > 0 || index.graphOutputs.contains(mask))) {
        return false;
      }
    }
    if (node.getInputCount() < 3 || node.getInput(2).isEmpty()) {
      return true;
    }
    TensorProto trainingMode = index.constants.get(node.getInput(2));
    if (trainingMode == null || trainingMode.getDataType() != TensorProto.DataType.BOOL_VALUE) {
      return false;
    }
    // BOOL is stored one byte per element in raw_data, or in int32_data.
    boolean on =
        trainingMode.hasRawData()
            ? trainingMode.getRawData().size() > 0 && trainingMode.getRawData().byteAt(0) != 0
            : trainingMode.getInt32DataCount() > 0 && trainingMode.getInt32Data(0) != 0;
    return !on && Tensors.elementCount(Tensors.dims(trainingMode)) == 1;
  }
}
