package dev.kiln.compiler.passes;

import dev.kiln.compiler.ir.Graphs;
import dev.kiln.compiler.ir.proto.GraphProto;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.NodeProto;
import dev.kiln.compiler.ir.proto.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Removes top-level nodes none of whose outputs reach a graph output. ONNX ops have no side
 * effects, so such nodes only cost time. Walking the topologically sorted list backwards visits
 * every consumer before its producers, so one sweep finds all of them.
 */
public final class DeadNodeElimination implements GraphPass {
  @Override
  public String name() {
    return "DeadNodeElimination";
  }

  @Override
  public PassResult apply(ModelProto.Builder model) {
    GraphProto.Builder graph = model.getGraphBuilder();
    int before = graph.getNodeCount();
    Set<String> needed = new HashSet<>();
    for (ValueInfoProto out : graph.getOutputList()) {
      needed.add(out.getName());
    }
    boolean[] live = new boolean[before];
    for (int i = before - 1; i >= 0; i--) {
      NodeProto node = graph.getNode(i);
      for (String out : node.getOutputList()) {
        if (!out.isEmpty() && needed.contains(out)) {
          live[i] = true;
          break;
        }
      }
      if (live[i]) {
        needed.addAll(Graphs.inputsOf(node));
      }
    }
    List<NodeProto> kept = new ArrayList<>();
    for (int i = 0; i < before; i++) {
      if (live[i]) {
        kept.add(graph.getNode(i));
      }
    }
    if (kept.size() == before) {
      return PassResult.unchanged(name(), before);
    }
    graph.clearNode().addAllNode(kept);
    return new PassResult(
        name(), true, before, kept.size(), "removed " + (before - kept.size()) + " dead node(s)");
  }
}
