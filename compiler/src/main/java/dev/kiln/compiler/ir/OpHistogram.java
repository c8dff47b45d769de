package dev.kiln.compiler.ir;

import dev.kiln.compiler.ir.proto.GraphProto;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.NodeProto;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Operator counts for the compile report.
 *
 * @param ops op type (prefixed with its domain when not the default one, e.g. {@code
 *     com.microsoft::FusedConv}) to number of nodes, sorted by name; top-level graph only
 * @param nodeCount nodes in the top-level graph
 * @param subgraphNodeCount nodes inside If/Loop/Scan bodies, at any depth
 * @param initializerCount initializers in the top-level graph
 * @param parameterCount elements across the top-level initializers
 */
public record OpHistogram(
    SortedMap<String, Integer> ops,
    int nodeCount,
    int subgraphNodeCount,
    int initializerCount,
    long parameterCount) {

  public OpHistogram {
    ops = Collections.unmodifiableSortedMap(new TreeMap<>(ops));
  }

  public static OpHistogram of(ModelProto model) {
    GraphProto graph = model.getGraph();
    SortedMap<String, Integer> ops = new TreeMap<>();
    for (NodeProto node : graph.getNodeList()) {
      ops.merge(key(node), 1, Integer::sum);
    }
    long params = 0;
    for (var init : graph.getInitializerList()) {
      params += Tensors.elementCount(Tensors.dims(init));
    }
    return new OpHistogram(
        ops,
        graph.getNodeCount(),
        Graphs.subgraphNodeCount(graph),
        graph.getInitializerCount(),
        params);
  }

  private static String key(NodeProto node) {
    String domain = node.getDomain();
    return domain.isEmpty() || domain.equals("ai.onnx")
        ? node.getOpType()
        : domain + "::" + node.getOpType();
  }
}
