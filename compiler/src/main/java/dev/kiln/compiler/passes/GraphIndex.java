package dev.kiln.compiler.passes;

import dev.kiln.compiler.ir.Graphs;
import dev.kiln.compiler.ir.Tensors;
import dev.kiln.compiler.ir.proto.GraphProtoOrBuilder;
import dev.kiln.compiler.ir.proto.NodeProto;
import dev.kiln.compiler.ir.proto.TensorProto;
import dev.kiln.compiler.ir.proto.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A snapshot of who produces and who reads each value in a top-level graph. */
final class GraphIndex {
  final Set<String> graphInputs = new HashSet<>();
  final Set<String> graphOutputs = new HashSet<>();
  final Map<String, Integer> producer = new HashMap<>();
  final Map<String, List<Integer>> consumers = new HashMap<>();

  /** Initializers that are true constants: not also graph inputs, which callers may override. */
  final Map<String, TensorProto> constants = new HashMap<>();

  final Set<String> allNames = new HashSet<>();

  GraphIndex(GraphProtoOrBuilder graph) {
    for (ValueInfoProto vi : graph.getInputList()) {
      graphInputs.add(vi.getName());
    }
    for (ValueInfoProto vi : graph.getOutputList()) {
      graphOutputs.add(vi.getName());
    }
    for (TensorProto t : graph.getInitializerList()) {
      allNames.add(t.getName());
      if (!graphInputs.contains(t.getName())) {
        constants.put(t.getName(), t);
      }
    }
    for (int i = 0; i < graph.getNodeCount(); i++) {
      NodeProto node = graph.getNode(i);
      for (String out : node.getOutputList()) {
        if (!out.isEmpty()) {
          producer.put(out, i);
        }
      }
      for (String in : Graphs.inputsOf(node)) {
        consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(i);
      }
      allNames.addAll(node.getOutputList());
      allNames.addAll(node.getInputList());
    }
    allNames.addAll(graphInputs);
    allNames.addAll(graphOutputs);
  }

  /** Number of nodes reading the value (a node reading it twice counts twice). */
  int useCount(String name) {
    return consumers.getOrDefault(name, List.of()).size();
  }

  /** A readable constant initializer with this name, or null. */
  TensorProto readableConstant(String name) {
    TensorProto t = constants.get(name);
    return t != null && Tensors.isReadable(t) ? t : null;
  }

  /** A name not used anywhere in the graph, derived from {@code base}. */
  String freshName(String base) {
    String name = base;
    for (int i = 1; allNames.contains(name); i++) {
      name = base + "_" + i;
    }
    allNames.add(name);
    return name;
  }
}
