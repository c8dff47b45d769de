package dev.kiln.compiler.quant;

import dev.kiln.compiler.ir.proto.GraphProtoOrBuilder;
import dev.kiln.compiler.ir.proto.NodeProto;
import java.util.HashSet;
import java.util.Set;

/** Fresh value and node names for what a rewrite adds to a graph. */
final class GraphNames {
  private final Set<String> used = new HashSet<>();

  GraphNames(GraphProtoOrBuilder graph) {
    graph.getInputList().forEach(v -> used.add(v.getName()));
    graph.getOutputList().forEach(v -> used.add(v.getName()));
    graph.getValueInfoList().forEach(v -> used.add(v.getName()));
    graph.getInitializerList().forEach(t -> used.add(t.getName()));
    for (NodeProto node : graph.getNodeList()) {
      used.add(node.getName());
      used.addAll(node.getInputList());
      used.addAll(node.getOutputList());
    }
  }

  /** {@code base}, or {@code base_2}, {@code base_3}... whichever is unused; now taken. */
  String fresh(String base) {
    String name = base;
    for (int i = 2; used.contains(name); i++) {
      name = base + "_" + i;
    }
    used.add(name);
    return name;
  }

  /** A Cast node from {@code in} to {@code out} with a fresh node name. */
  NodeProto cast(String in, String out, int to) {
    return NodeProto.newBuilder()
        .setName(fresh(out + "_cast"))
        .setOpType("Cast")
        .addInput(in)
        .addOutput(out)
        .addAttribute(
            dev.kiln.compiler.ir.proto.AttributeProto.newBuilder()
                .setName("to")
                .setType(dev.kiln.compiler.ir.proto.AttributeProto.AttributeType.INT)
                .setI(to))
        .build();
  }
}
