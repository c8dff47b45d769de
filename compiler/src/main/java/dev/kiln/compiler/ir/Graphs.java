package dev.kiln.compiler.ir;

import dev.kiln.compiler.ir.proto.AttributeProto;
import dev.kiln.compiler.ir.proto.GraphProto;
import dev.kiln.compiler.ir.proto.GraphProtoOrBuilder;
import dev.kiln.compiler.ir.proto.ModelProtoOrBuilder;
import dev.kiln.compiler.ir.proto.NodeProto;
import dev.kiln.compiler.ir.proto.OperatorSetIdProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Questions about graph structure that several checks and passes ask. */
public final class Graphs {
  /** How opset_import and nodes usually spell the default ONNX domain ("ai.onnx" also means it). */
  public static final String DEFAULT_DOMAIN = "";

  private Graphs() {}

  public static boolean isDefaultDomain(String domain) {
    return domain == null || domain.isEmpty() || domain.equals("ai.onnx");
  }

  /** Imported opset version of {@code domain} (default domain for "" or "ai.onnx"), or -1. */
  public static long opsetVersion(ModelProtoOrBuilder model, String domain) {
    boolean wantDefault = isDefaultDomain(domain);
    long version = -1;
    for (OperatorSetIdProto opset : model.getOpsetImportList()) {
      boolean match =
          wantDefault ? isDefaultDomain(opset.getDomain()) : opset.getDomain().equals(domain);
      if (match) {
        version = Math.max(version, opset.getVersion());
      }
    }
    return version;
  }

  /** Graph-valued attributes of a node: bodies of If, Loop, Scan and similar. */
  public static List<GraphProto> subgraphs(NodeProto node) {
    List<GraphProto> out = new ArrayList<>();
    for (AttributeProto attr : node.getAttributeList()) {
      if (attr.hasG()) {
        out.add(attr.getG());
      }
      out.addAll(attr.getGraphsList());
    }
    return out;
  }

  /** Nodes inside subgraphs of this graph's nodes, at any depth. */
  public static int subgraphNodeCount(GraphProtoOrBuilder graph) {
    int n = 0;
    for (NodeProto node : graph.getNodeList()) {
      for (GraphProto sub : subgraphs(node)) {
        n += sub.getNodeCount() + subgraphNodeCount(sub);
      }
    }
    return n;
  }

  /**
   * Every value name a node reads, including names a subgraph reads from the enclosing scope. Over
   * approximates (a subgraph's own values are included), which is the safe side for "is it used?".
   */
  public static Set<String> inputsOf(NodeProto node) {
    Set<String> names = new HashSet<>(node.getInputList());
    for (GraphProto sub : subgraphs(node)) {
      for (NodeProto inner : sub.getNodeList()) {
        names.addAll(inputsOf(inner));
      }
      sub.getOutputList().forEach(v -> names.add(v.getName()));
    }
    names.remove("");
    return names;
  }

  /** All value names read by any node of the graph, at any depth. */
  public static Set<String> consumedNames(GraphProtoOrBuilder graph) {
    Set<String> names = new HashSet<>();
    for (NodeProto node : graph.getNodeList()) {
      names.addAll(inputsOf(node));
    }
    return names;
  }

  /**
   * Returns the node with inputs renamed per {@code renames}, also inside its subgraphs (which may
   * read outer values by name). Outputs are left alone.
   */
  public static NodeProto renameInputs(NodeProto node, Map<String, String> renames) {
    NodeProto.Builder b = node.toBuilder();
    for (int i = 0; i < b.getInputCount(); i++) {
      String to = renames.get(b.getInput(i));
      if (to != null) {
        b.setInput(i, to);
      }
    }
    for (int a = 0; a < b.getAttributeCount(); a++) {
      AttributeProto attr = b.getAttribute(a);
      if (!attr.hasG() && attr.getGraphsCount() == 0) {
        continue;
      }
      AttributeProto.Builder ab = attr.toBuilder();
      if (attr.hasG()) {
        ab.setG(renameInGraph(attr.getG(), renames));
      }
      for (int g = 0; g < ab.getGraphsCount(); g++) {
        ab.setGraphs(g, renameInGraph(ab.getGraphs(g), renames));
      }
      b.setAttribute(a, ab);
    }
    return b.build();
  }

  private static GraphProto renameInGraph(GraphProto graph, Map<String, String> renames) {
    GraphProto.Builder gb = graph.toBuilder();
    for (int i = 0; i < gb.getNodeCount(); i++) {
      gb.setNode(i, renameInputs(gb.getNode(i), renames));
    }
    // A subgraph output may be an outer value passed straight through.
    for (int i = 0; i < gb.getOutputCount(); i++) {
      String to = renames.get(gb.getOutput(i).getName());
      if (to != null) {
        gb.setOutput(i, gb.getOutput(i).toBuilder().setName(to));
      }
    }
    return gb.build();
  }
}
