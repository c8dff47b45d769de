package dev.kiln.compiler.quant;

import dev.kiln.compiler.ir.proto.GraphProto;
import dev.kiln.compiler.ir.proto.NodeProto;
import java.util.HashSet;
import java.util.Set;

/** Hands out value and node names not yet used in a graph. */
final class Names {
  private final Set<String> used = new HashSet<>();

  Names(GraphProto graph) {
    graph.getInputList().forEach(v -> used.add(v.getName()));
    graph.getOutputList().forEach(v -> used.add(v.getName()));
    graph.getInitializerList().forEach(t -> used.add(t.getName()));
    for (NodeProto n : graph.getNodeList()) {
      used.addAll(n.getInputList());
      used.addAll(n.getOutputList());
      used.add(n.getName());
    }
  }

  String fresh(String base) {
    String name = base;
    for (int i = 1; used.contains(name); i++) {
      name = base + "_" + i;
    }
    used.add(name);
    return name;
  }
}
