package dev.kiln.compiler.quant;

import dev.kiln.compiler.ir.Graphs;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.NodeProto;
import dev.kiln.compiler.ir.proto.OperatorSetIdProto;
import java.util.Set;
import java.util.TreeSet;

/**
 * Per-channel DequantizeLinear (its {@code axis} attribute) needs default-domain opset 13. Older
 * models are raised to 13 only when every op they use means the same at 13 as at their opset;
 * otherwise quantization is refused with the ops that block it.
 */
final class OpsetUpgrade {
  static final long REQUIRED = 13;

  /** Ops whose inputs, attributes and semantics did not change between opsets 10 and 13. */
  private static final Set<String> STABLE_10_TO_13 =
      Set.of(
          "Conv",
          "Relu",
          "MaxPool",
          "AveragePool",
          "GlobalAveragePool",
          "GlobalMaxPool",
          "Add",
          "Sub",
          "Mul",
          "Div",
          "MatMul",
          "Gemm",
          "Concat",
          "Reshape",
          "Flatten",
          "Transpose",
          "Sigmoid",
          "Tanh",
          "BatchNormalization",
          "Identity",
          "Constant",
          "Shape",
          "Gather",
          "LeakyRelu",
          "Sqrt",
          "Exp",
          "Pow",
          "Neg",
          "Abs",
          "Cast");

  private OpsetUpgrade() {}

  static ModelProto toRequired(ModelProto model) {
    long version = Graphs.opsetVersion(model, Graphs.DEFAULT_DOMAIN);
    if (version >= REQUIRED) {
      return model;
    }
    Set<String> blocking = new TreeSet<>();
    for (NodeProto node : model.getGraph().getNodeList()) {
      if (Graphs.isDefaultDomain(node.getDomain()) && !STABLE_10_TO_13.contains(node.getOpType())) {
        blocking.add(node.getOpType());
      }
    }
    if (version < 10 || !blocking.isEmpty()) {
      throw new IllegalArgumentException(
          "int8 quantization needs opset "
              + REQUIRED
              + " (per-channel DequantizeLinear); the model has opset "
              + version
              + (blocking.isEmpty()
                  ? ""
                  : " and uses " + blocking + ", which changed meaning since")
              + ". Re-export the model at opset 13 or later");
    }
    // Opset 13 needs IR version 7.
    ModelProto.Builder b = model.toBuilder().setIrVersion(Math.max(model.getIrVersion(), 7));
    for (int i = 0; i < b.getOpsetImportCount(); i++) {
      OperatorSetIdProto id = b.getOpsetImport(i);
      if (Graphs.isDefaultDomain(id.getDomain())) {
        b.setOpsetImport(i, id.toBuilder().setVersion(REQUIRED));
      }
    }
    return b.build();
  }
}
