package dev.kiln.compiler.quant;

import dev.kiln.compiler.ir.Graphs;
import dev.kiln.compiler.ir.proto.GraphProto;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.NodeProto;
import dev.kiln.compiler.ir.proto.TensorProto;
import dev.kiln.compiler.ir.proto.TensorProto.DataType;
import dev.kiln.compiler.ir.proto.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Converts an fp32 model to fp16 for GPU targets (ONNX Runtime's CUDA provider) and for size.
 *
 * <p>Weights are stored as fp16 and activations flow as fp16 between nodes that have fp16 kernels.
 * Nodes that must stay fp32 (see {@link Fp16Plan}) get a Cast on each side, so the result is a
 * valid ONNX model whatever mix of precisions it ends up with.
 */
public final class Fp16Converter {
  private static final int FLOAT = DataType.FLOAT_VALUE;
  private static final int FLOAT16 = DataType.FLOAT16_VALUE;

  private Fp16Converter() {}

  /**
   * Weights and activations to fp16; graph inputs/outputs stay fp32 (Cast at the edges) when {@code
   * keepIoFp32}, so clients keep sending and receiving float32.
   *
   * @param keepFp32 node names that must stay fp32 (the sensitivity pass fills this)
   */
  public static ReducedModel convert(ModelProto fp32, boolean keepIoFp32, Set<String> keepFp32) {
    GraphProto graph = fp32.getGraph();
    Fp16Plan plan = Fp16Plan.of(graph, keepFp32, !keepIoFp32);
    GraphNames names = new GraphNames(graph);
    GraphProto.Builder out = graph.toBuilder().clearNode().clearInitializer().clearValueInfo();

    int clamped = 0;
    for (TensorProto t : graph.getInitializerList()) {
      if (plan.fp16Home.contains(t.getName())) {
        Fp16Tensors.Converted c = Fp16Tensors.toFp16(t);
        clamped += c.clamped();
        out.addInitializer(c.tensor());
      } else {
        out.addInitializer(t);
      }
    }

    // A graph output held in the other precision than the caller gets is produced under an inner
    // name and cast to its own name at the end.
    Set<String> produced = new HashSet<>();
    graph.getNodeList().forEach(n -> produced.addAll(n.getOutputList()));
    Map<String, String> inner = new HashMap<>();
    List<NodeProto> tail = new ArrayList<>();
    for (ValueInfoProto vi : graph.getOutputList()) {
      String v = vi.getName();
      boolean home16 = plan.fp16Home.contains(v);
      if (plan.types.isFloat(v) && produced.contains(v) && home16 == keepIoFp32) {
        String renamed = names.fresh(v + (home16 ? "_fp16" : "_fp32"));
        inner.put(v, renamed);
        tail.add(names.cast(renamed, v, keepIoFp32 ? FLOAT : FLOAT16));
      }
    }

    Map<String, String> casts = new HashMap<>();
    for (int i = 0; i < graph.getNodeCount(); i++) {
      NodeProto node = graph.getNode(i);
      NodeProto.Builder b = node.toBuilder();
      for (int s = 0; s < node.getInputCount(); s++) {
        String v = node.getInput(s);
        if (v.isEmpty()) {
          continue;
        }
        String current = inner.getOrDefault(v, v);
        if (plan.types.isFloat(v) && plan.readsFp16(i, s) != plan.fp16Home.contains(v)) {
          current = castOf(v, current, plan.readsFp16(i, s), casts, names, out);
        }
        b.setInput(s, current);
      }
      for (int o = 0; o < b.getOutputCount(); o++) {
        b.setOutput(o, inner.getOrDefault(b.getOutput(o), b.getOutput(o)));
      }
      NodeProto rewritten = b.build();
      if (!Graphs.subgraphs(node).isEmpty()) {
        // Subgraphs stay fp32 and may read outer values by name: hand them fp32 copies.
        Map<String, String> captured = new HashMap<>();
        for (String v : Graphs.inputsOf(node)) {
          if (!node.getInputList().contains(v) && plan.fp16Home.contains(v)) {
            captured.put(v, castOf(v, inner.getOrDefault(v, v), false, casts, names, out));
          }
        }
        rewritten = Graphs.renameInputs(rewritten, captured);
      }
      out.addNode(
          plan.fp16Home.stream().anyMatch(node.getOutputList()::contains)
              ? Fp16Attributes.fix(rewritten)
              : rewritten);
    }
    out.addAllNode(tail);

    retype(out.getInputBuilderList(), v -> plan.fp16Home.contains(v));
    retype(
        out.getOutputBuilderList(),
        v -> produced.contains(v) ? !keepIoFp32 : plan.fp16Home.contains(v));
    for (ValueInfoProto vi : graph.getValueInfoList()) {
      String v = vi.getName();
      ValueInfoProto.Builder vb = vi.toBuilder().setName(inner.getOrDefault(v, v));
      if (plan.types.isFloat(v)) {
        vb.getTypeBuilder()
            .getTensorTypeBuilder()
            .setElemType(plan.fp16Home.contains(v) ? FLOAT16 : FLOAT);
      }
      out.addValueInfo(vb);
    }

    ModelProto model = fp32.toBuilder().setGraph(out).build();
    return new ReducedModel(model, List.copyOf(plan.nodes), scheme(plan, keepIoFp32, clamped));
  }

  /**
   * An fp32 model that rounds every weight and every node output to fp16 and back, where {@link
   * #convert} computes in fp16: it runs on ONNX Runtime's CPU provider, so verification on this
   * host simulates fp16 honestly (the report must say "simulated"). See {@link Fp16Simulation} for
   * what it does not model.
   */
  public static ModelProto simulate(ModelProto fp32, Set<String> keepFp32) {
    return Fp16Simulation.build(fp32, keepFp32);
  }

  private static String castOf(
      String value,
      String current,
      boolean toFp16,
      Map<String, String> casts,
      GraphNames names,
      GraphProto.Builder out) {
    return casts.computeIfAbsent(
        value + (toFp16 ? "\0fp16" : "\0fp32"),
        k -> {
          String name = names.fresh(value + (toFp16 ? "_fp16" : "_fp32"));
          out.addNode(names.cast(current, name, toFp16 ? FLOAT16 : FLOAT));
          return name;
        });
  }

  private static void retype(
      List<ValueInfoProto.Builder> infos, java.util.function.Predicate<String> fp16) {
    for (ValueInfoProto.Builder vi : infos) {
      var tensor = vi.getTypeBuilder().getTensorTypeBuilder();
      int type = tensor.getElemType();
      if (type == FLOAT || type == FLOAT16) {
        tensor.setElemType(fp16.test(vi.getName()) ? FLOAT16 : FLOAT);
      }
    }
  }

  private static String scheme(Fp16Plan plan, boolean keepIoFp32, int clamped) {
    long fp32Nodes =
        plan.nodes.stream()
            .filter(n -> n.precision() == Precision.FP32 && !n.reason().equals("no float tensors"))
            .count();
    return "fp16 weights and activations"
        + (keepIoFp32
            ? ", fp32 inputs and outputs (Cast at the edges)"
            : ", fp16 inputs and outputs")
        + (fp32Nodes > 0 ? "; " + fp32Nodes + " float node(s) kept in fp32" : "")
        + (clamped > 0 ? "; " + clamped + " weight value(s) beyond ±65504 clamped" : "");
  }
}
