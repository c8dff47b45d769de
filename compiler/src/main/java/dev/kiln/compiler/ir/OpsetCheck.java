package dev.kiln.compiler.ir;

import dev.kiln.compiler.ir.proto.FunctionProto;
import dev.kiln.compiler.ir.proto.GraphProto;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.NodeProto;
import dev.kiln.compiler.ir.proto.OperatorSetIdProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides whether ONNX Runtime 1.21 can load and run a model: opset versions, operator domains, and
 * every node's op type (top-level graph, subgraphs and model-local function bodies).
 *
 * <p>The version bounds were checked against ONNX Runtime 1.21.1 itself (see OpsetCheckTest): it
 * refuses ai.onnx opset 23 and ai.onnx.ml opset 6 as "under development".
 */
public final class OpsetCheck {
  /** Oldest default-domain opset ONNX Runtime guarantees to run. */
  public static final long MIN_ONNX_OPSET = 7;

  /** Newest default-domain opset ONNX Runtime 1.21 implements (ONNX 1.17). */
  public static final long MAX_ONNX_OPSET = 22;

  /** Newest ai.onnx.ml opset ONNX Runtime 1.21 implements. */
  public static final long MAX_ML_OPSET = 5;

  public static final String ML_DOMAIN = "ai.onnx.ml";
  public static final String MICROSOFT_DOMAIN = "com.microsoft";

  private static final int MAX_LISTED_ERRORS = 10;

  /** One reason the model cannot run. */
  public record Problem(IrErrorCode code, String message) {}

  /**
   * Outcome of a check. Errors stop compilation; warnings (such as ops that fall back from CUDA to
   * CPU) belong in the compile report.
   */
  public record Report(List<Problem> errors, List<String> warnings) {
    public Report {
      errors = List.copyOf(errors);
      warnings = List.copyOf(warnings);
    }

    public boolean ok() {
      return errors.isEmpty();
    }
  }

  private OpsetCheck() {}

  /** Checks and throws an {@link IrException} listing every error; returns the warnings. */
  public static Report requireSupported(ModelProto model, OpSupport.Target target) {
    Report report = check(model, target);
    if (!report.ok()) {
      StringBuilder msg = new StringBuilder();
      List<Problem> errors = report.errors();
      for (int i = 0; i < Math.min(errors.size(), MAX_LISTED_ERRORS); i++) {
        msg.append(i == 0 ? "" : "\n").append(errors.get(i).message());
      }
      if (errors.size() > MAX_LISTED_ERRORS) {
        msg.append("\n... and ").append(errors.size() - MAX_LISTED_ERRORS).append(" more");
      }
      throw new IrException(errors.get(0).code(), msg.toString());
    }
    return report;
  }

  /** Checks without throwing. */
  public static Report check(ModelProto model, OpSupport.Target target) {
    List<Problem> errors = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    Set<String> functionKeys = new HashSet<>();
    Set<String> functionDomains = new HashSet<>();
    for (FunctionProto f : model.getFunctionsList()) {
      functionKeys.add(f.getDomain() + "::" + f.getName());
      functionDomains.add(f.getDomain());
    }
    checkOpsetImports(model, functionDomains, errors, warnings);

    NodeVisitor visitor =
        new NodeVisitor(OpSupport.load(OpSupport.Target.CPU), OpSupport.load(target), functionKeys);
    visitor.opsets = opsets(model.getOpsetImportList(), Map.of());
    visitor.visitGraph(model.getGraph(), "");
    Map<String, Long> modelOpsets = visitor.opsets;
    for (FunctionProto f : model.getFunctionsList()) {
      // A function body binds to its own opset imports, falling back to the model's.
      visitor.opsets = opsets(f.getOpsetImportList(), modelOpsets);
      for (NodeProto node : f.getNodeList()) {
        visitor.visitNode(node, "function " + f.getName() + ": ");
      }
    }
    errors.addAll(visitor.errors);
    visitor.cpuFallbacks.forEach(
        (op, nodes) ->
            warnings.add(
                nodes.size()
                    + " node(s) of op "
                    + op
                    + " (e.g. "
                    + nodes.get(0)
                    + ") have no "
                    + target
                    + " kernel in ONNX Runtime and will run on the CPU"));
    return new Report(errors, warnings);
  }

  private static Map<String, Long> opsets(
      List<OperatorSetIdProto> imports, Map<String, Long> fallback) {
    Map<String, Long> out = new HashMap<>(fallback);
    for (OperatorSetIdProto opset : imports) {
      String domain = Graphs.isDefaultDomain(opset.getDomain()) ? "" : opset.getDomain();
      out.put(domain, opset.getVersion());
    }
    return out;
  }

  private static void checkOpsetImports(
      ModelProto model, Set<String> functionDomains, List<Problem> errors, List<String> warnings) {
    boolean hasDefault = false;
    for (OperatorSetIdProto opset : model.getOpsetImportList()) {
      String domain = opset.getDomain();
      long v = opset.getVersion();
      if (Graphs.isDefaultDomain(domain)) {
        hasDefault = true;
        if (v < MIN_ONNX_OPSET || v > MAX_ONNX_OPSET) {
          errors.add(
              new Problem(
                  IrErrorCode.UNSUPPORTED_OPSET,
                  "the model uses ONNX opset "
                      + v
                      + ", but ONNX Runtime 1.21 supports opsets "
                      + MIN_ONNX_OPSET
                      + ".."
                      + MAX_ONNX_OPSET
                      + "; re-export with an opset in that range (torch.onnx.export(...,"
                      + " opset_version=17))"));
        }
      } else if (domain.equals(ML_DOMAIN)) {
        if (v < 1 || v > MAX_ML_OPSET) {
          errors.add(
              new Problem(
                  IrErrorCode.UNSUPPORTED_OPSET,
                  "the model uses ai.onnx.ml opset "
                      + v
                      + ", but ONNX Runtime 1.21 supports 1.."
                      + MAX_ML_OPSET
                      + "; convert it with a target_opset of at most "
                      + MAX_ML_OPSET));
        }
      } else if (!domain.equals(MICROSOFT_DOMAIN) && !functionDomains.contains(domain)) {
        // Harmless while no node uses it; NodeVisitor reports nodes that do.
        warnings.add("the model imports opset domain '" + domain + "', unknown to ONNX Runtime");
      }
    }
    if (!hasDefault) {
      errors.add(
          new Problem(
              IrErrorCode.UNSUPPORTED_OPSET,
              "the model imports no ai.onnx opset (opset_import has no entry for domain \"\");"
                  + " re-export it with an ONNX exporter that records the opset"));
    }
  }

  /** Walks nodes at every depth and collects unsupported ops. */
  private static final class NodeVisitor {
    private final OpSupport cpu;
    private final OpSupport target;
    private final Set<String> functionKeys;
    private final List<Problem> errors = new ArrayList<>();
    private final Map<String, List<String>> cpuFallbacks = new LinkedHashMap<>();
    private int index;
    private Map<String, Long> opsets = Map.of();

    NodeVisitor(OpSupport cpu, OpSupport target, Set<String> functionKeys) {
      this.cpu = cpu;
      this.target = target;
      this.functionKeys = functionKeys;
    }

    void visitGraph(GraphProto graph, String where) {
      for (NodeProto node : graph.getNodeList()) {
        visitNode(node, where);
      }
    }

    void visitNode(NodeProto node, String where) {
      index++;
      String domain = node.getDomain();
      String shownDomain = Graphs.isDefaultDomain(domain) ? "ai.onnx" : domain;
      String op = node.getOpType();
      String who = where + describe(node);
      if (functionKeys.contains(domain + "::" + op)) {
        // Calls a model-local function; its body is checked on its own.
      } else if (Graphs.isDefaultDomain(domain) || domain.equals(ML_DOMAIN)) {
        long opset = opsets.getOrDefault(Graphs.isDefaultDomain(domain) ? "" : domain, -1L);
        if (opset >= 0 && cpu.supports(domain, op) && !cpu.supports(domain, op, opset)) {
          long[] range = cpu.opsetRange(domain, op);
          errors.add(
              new Problem(
                  IrErrorCode.UNSUPPORTED_OP,
                  who
                      + " uses op "
                      + op
                      + " (domain "
                      + shownDomain
                      + "), which ONNX Runtime runs only in opsets "
                      + (range[0] <= 1
                          ? "up to " + range[1]
                          : range[1] == Long.MAX_VALUE
                              ? range[0] + " and later"
                              : range[0] + ".." + range[1])
                      + ", but the model imports opset "
                      + opset
                      + "; re-export with an opset in that range"));
        } else if (!cpu.supports(domain, op)) {
          errors.add(
              new Problem(
                  IrErrorCode.UNSUPPORTED_OP,
                  who
                      + " uses op "
                      + op
                      + " (domain "
                      + shownDomain
                      + "), which ONNX Runtime does not implement; replace it or export"
                      + " with a different opset"));
        } else if (!target.supports(domain, op)) {
          cpuFallbacks.computeIfAbsent(op, k -> new ArrayList<>()).add(who);
        }
      } else if (!domain.equals(MICROSOFT_DOMAIN)) {
        errors.add(
            new Problem(
                IrErrorCode.UNSUPPORTED_DOMAIN,
                who
                    + " uses op "
                    + op
                    + " from custom domain '"
                    + domain
                    + "', which ONNX Runtime does not know; Kiln runs ai.onnx, ai.onnx.ml and"
                    + " com.microsoft ops. Export the layer as standard ONNX ops instead"));
      }
      for (GraphProto sub : Graphs.subgraphs(node)) {
        visitGraph(sub, who + " > ");
      }
    }

    private static String describe(long[] range) {
      if (range[0] <= 1) {
        return "up to " + range[1];
      }
      return range[1] == Long.MAX_VALUE ? range[0] + " and later" : range[0] + ".." + range[1];
    }

    private String describe(NodeProto node) {
      if (!node.getName().isEmpty()) {
        return "node '" + node.getName() + "'";
      }
      String out = node.getOutputCount() > 0 ? " (output '" + node.getOutput(0) + "')" : "";
      return "unnamed node #" + index + out;
    }
  }
}
