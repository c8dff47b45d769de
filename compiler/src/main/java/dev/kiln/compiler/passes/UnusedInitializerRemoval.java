package dev.kiln.compiler.passes;

import dev.kiln.compiler.ir.Graphs;
import dev.kiln.compiler.ir.proto.GraphProto;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.StringStringEntryProto;
import dev.kiln.compiler.ir.proto.TensorProto;
import dev.kiln.compiler.ir.proto.TrainingInfoProto;
import dev.kiln.compiler.ir.proto.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Drops initializers that nothing reads: no node at any depth (subgraphs of If/Loop/Scan read outer
 * values by name), no graph input or output, no training binding. Folding and fusion leave the
 * weights they replaced behind; this is what makes the artifact smaller.
 */
public final class UnusedInitializerRemoval implements GraphPass {
  @Override
  public String name() {
    return "UnusedInitializerRemoval";
  }

  @Override
  public PassResult apply(ModelProto.Builder model) {
    GraphProto.Builder graph = model.getGraphBuilder();
    int nodes = graph.getNodeCount();
    Set<String> used = new HashSet<>(Graphs.consumedNames(graph));
    graph.getInputList().forEach(v -> used.add(v.getName()));
    graph.getOutputList().forEach(v -> used.add(v.getName()));
    for (TrainingInfoProto info : model.getTrainingInfoList()) {
      info.getUpdateBindingList().forEach(e -> used.add(e.getKey()));
      for (StringStringEntryProto e : info.getInitializationBindingList()) {
        used.add(e.getKey());
      }
      used.addAll(Graphs.consumedNames(info.getAlgorithm()));
      used.addAll(Graphs.consumedNames(info.getInitialization()));
    }
    List<TensorProto> kept = new ArrayList<>();
    Set<String> dropped = new HashSet<>();
    long droppedElements = 0;
    for (TensorProto t : graph.getInitializerList()) {
      if (used.contains(t.getName())) {
        kept.add(t);
      } else {
        dropped.add(t.getName());
        droppedElements += t.getDimsList().stream().reduce(1L, (a, b) -> a * b);
      }
    }
    if (dropped.isEmpty()) {
      return PassResult.unchanged(name(), nodes);
    }
    graph.clearInitializer().addAllInitializer(kept);
    List<ValueInfoProto> infos = new ArrayList<>(graph.getValueInfoList());
    infos.removeIf(v -> dropped.contains(v.getName()));
    graph.clearValueInfo().addAllValueInfo(infos);
    return new PassResult(
        name(),
        true,
        nodes,
        nodes,
        "removed " + dropped.size() + " unused initializer(s), " + droppedElements + " elements");
  }
}
