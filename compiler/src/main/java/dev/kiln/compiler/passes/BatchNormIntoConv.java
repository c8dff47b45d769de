package dev.kiln.compiler.passes;

import dev.kiln.compiler.ir.Graphs;
import dev.kiln.compiler.ir.Tensors;
import dev.kiln.compiler.ir.proto.GraphProto;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.NodeProto;
import dev.kiln.compiler.ir.proto.TensorProto;
import dev.kiln.compiler.ir.proto.TensorProto.DataType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Folds an inference-mode BatchNormalization into the Conv that feeds it:
 *
 * <pre>
 *   s  = scale / sqrt(var + epsilon)          (per output channel)
 *   W' = W * s                                 (scaling W's first axis)
 *   b' = (b - mean) * s + B                    (b = 0 when the Conv has no bias)
 * </pre>
 *
 * The Conv then writes the BatchNormalization's output name, so consumers and graph outputs are
 * untouched. New weight and bias initializers get fresh names, because the old weights may be
 * shared with other nodes; {@link UnusedInitializerRemoval} drops the old ones when nothing else
 * reads them.
 */
public final class BatchNormIntoConv implements GraphPass {
  @Override
  public String name() {
    return "BatchNormIntoConv";
  }

  @Override
  public PassResult apply(ModelProto.Builder model) {
    GraphProto.Builder graph = model.getGraphBuilder();
    int before = graph.getNodeCount();
    if (model.getIrVersion() < 4) {
      // Before IR 4 every initializer had to be a graph input, which would make them overridable.
      return PassResult.unchanged(name(), before);
    }
    GraphIndex index = new GraphIndex(graph);
    List<NodeProto> nodes = new ArrayList<>(graph.getNodeList());
    Set<Integer> removed = new HashSet<>();
    List<TensorProto> added = new ArrayList<>();
    for (int bnAt = 0; bnAt < nodes.size(); bnAt++) {
      NodeProto bn = nodes.get(bnAt);
      if (!isInferenceBatchNorm(bn, index)) {
        continue;
      }
      Integer convAt = index.producer.get(bn.getInput(0));
      if (convAt == null || removed.contains(convAt)) {
        continue;
      }
      NodeProto conv = nodes.get(convAt);
      String between = bn.getInput(0);
      if (!isFoldableConv(conv)
          || index.useCount(between) != 1
          || index.graphOutputs.contains(between)) {
        continue;
      }
      NodeProto fused = fuse(conv, bn, index, added);
      if (fused != null) {
        nodes.set(convAt, fused);
        removed.add(bnAt);
      }
    }
    if (removed.isEmpty()) {
      return PassResult.unchanged(name(), before);
    }
    List<NodeProto> kept = new ArrayList<>();
    Set<String> vanished = new HashSet<>();
    for (int i = 0; i < nodes.size(); i++) {
      if (removed.contains(i)) {
        vanished.add(nodes.get(i).getInput(0));
      } else {
        kept.add(nodes.get(i));
      }
    }
    graph.clearNode().addAllNode(kept).addAllInitializer(added);
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
        "folded " + removed.size() + " BatchNormalization node(s) into Conv weights");
  }

  private static boolean isFoldableConv(NodeProto conv) {
    return conv.getOpType().equals("Conv")
        && Graphs.isDefaultDomain(conv.getDomain())
        && conv.getOutputCount() == 1
        && conv.getInputCount() >= 2;
  }

  private static boolean isInferenceBatchNorm(NodeProto bn, GraphIndex index) {
    if (!bn.getOpType().equals("BatchNormalization")
        || !Graphs.isDefaultDomain(bn.getDomain())
        || bn.getInputCount() != 5
        || Attributes.getInt(bn, "training_mode", 0) != 0
        || Attributes.getInt(bn, "spatial", 1) != 1) {
      return false;
    }
    // Extra outputs (running statistics) exist only in training; if anything reads them, keep BN.
    for (int o = 1; o < bn.getOutputCount(); o++) {
      String out = bn.getOutput(o);
      if (!out.isEmpty() && (index.useCount(out) > 0 || index.graphOutputs.contains(out))) {
        return false;
      }
    }
    return bn.getOutputCount() >= 1;
  }

  /** The Conv rewritten to produce the BN output, or null when the parameters do not fit. */
  private static NodeProto fuse(
      NodeProto conv, NodeProto bn, GraphIndex index, List<TensorProto> added) {
    TensorProto w = index.readableConstant(conv.getInput(1));
    boolean hasBias = conv.getInputCount() > 2 && !conv.getInput(2).isEmpty();
    TensorProto b = hasBias ? index.readableConstant(conv.getInput(2)) : null;
    TensorProto scale = index.readableConstant(bn.getInput(1));
    TensorProto shift = index.readableConstant(bn.getInput(2));
    TensorProto mean = index.readableConstant(bn.getInput(3));
    TensorProto var = index.readableConstant(bn.getInput(4));
    if (w == null
        || (hasBias && b == null)
        || scale == null
        || shift == null
        || mean == null
        || var == null
        || !isReal(w)
        || w.getDimsCount() < 3) {
      return null;
    }
    int channels = Math.toIntExact(w.getDims(0));
    double[] s = Tensors.toDoubles(scale);
    double[] beta = Tensors.toDoubles(shift);
    double[] mu = Tensors.toDoubles(mean);
    double[] sigma2 = Tensors.toDoubles(var);
    double[] bias = hasBias ? Tensors.toDoubles(b) : new double[channels];
    if (s.length != channels
        || beta.length != channels
        || mu.length != channels
        || sigma2.length != channels
        || bias.length != channels) {
      return null;
    }
    double eps = Attributes.getFloat(bn, "epsilon", 1e-5f);
    double[] weights = Tensors.toDoubles(w);
    int perChannel = weights.length / channels;
    double[] newBias = new double[channels];
    for (int c = 0; c < channels; c++) {
      double k = s[c] / Math.sqrt(sigma2[c] + eps);
      for (int i = c * perChannel; i < (c + 1) * perChannel; i++) {
        weights[i] *= k;
      }
      newBias[c] = (bias[c] - mu[c]) * k + beta[c];
    }
    long[] wDims = Tensors.dims(w);
    String wName = index.freshName(conv.getInput(1) + "_bn_folded");
    String bName =
        index.freshName((hasBias ? conv.getInput(2) : conv.getInput(1) + "_bias") + "_bn_folded");
    added.add(real(w.getDataType(), wName, wDims, weights));
    added.add(real(w.getDataType(), bName, new long[] {channels}, newBias));
    NodeProto.Builder fused = conv.toBuilder().setInput(1, wName).setOutput(0, bn.getOutput(0));
    if (conv.getInputCount() > 2) {
      fused.setInput(2, bName);
    } else {
      fused.addInput(bName);
    }
    return fused.build();
  }

  private static boolean isReal(TensorProto t) {
    return t.getDataType() == DataType.FLOAT_VALUE || t.getDataType() == DataType.DOUBLE_VALUE;
  }

  private static TensorProto real(int type, String name, long[] dims, double[] values) {
    if (type == DataType.DOUBLE_VALUE) {
      return Tensors.ofDoubles(name, dims, values);
    }
    float[] f = new float[values.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) values[i];
    }
    return Tensors.ofFloats(name, dims, f);
  }
}
