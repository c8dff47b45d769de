package dev.kiln.compiler.quant;

import dev.kiln.compiler.ir.proto.GraphProto;
import dev.kiln.compiler.ir.proto.NodeProto;
import dev.kiln.compiler.ir.proto.TensorProto.DataType;
import dev.kiln.compiler.ir.proto.ValueInfoProto;
import java.util.HashSet;
import java.util.Set;

/**
 * Which values of a graph are float32. Kiln has no shape inference, so types are propagated through
 * the ops this quantizer touches; a value of unknown type counts as not float, which only ever
 * keeps a node in fp32.
 */
final class FloatTensors {
  /** Ops whose output 0 has the type of input 0. */
  private static final Set<String> SAME_TYPE =
      Set.of(
          "Conv",
          "MatMul",
          "Gemm",
          "Add",
          "Sub",
          "Mul",
          "Div",
          "Relu",
          "Clip",
          "LeakyRelu",
          "Sigmoid",
          "Tanh",
          "Softmax",
          "MaxPool",
          "AveragePool",
          "GlobalAveragePool",
          "GlobalMaxPool",
          "Concat",
          "Reshape",
          "Flatten",
          "Transpose",
          "Squeeze",
          "Unsqueeze",
          "BatchNormalization",
          "Identity",
          "Pad",
          "Resize",
          "Slice",
          "Gather",
          "Split",
          "HardSigmoid",
          "HardSwish",
          "Erf",
          "Sqrt",
          "Pow",
          "ReduceMean",
          "Exp",
          "Neg",
          "Abs");

  private FloatTensors() {}

  static Set<String> of(GraphProto graph) {
    Set<String> floats = new HashSet<>();
    for (ValueInfoProto vi : graph.getInputList()) {
      if (vi.getType().getTensorType().getElemType() == DataType.FLOAT_VALUE) {
        floats.add(vi.getName());
      }
    }
    for (ValueInfoProto vi : graph.getValueInfoList()) {
      if (vi.getType().getTensorType().getElemType() == DataType.FLOAT_VALUE) {
        floats.add(vi.getName());
      }
    }
    graph.getInitializerList().stream()
        .filter(t -> t.getDataType() == DataType.FLOAT_VALUE)
        .forEach(t -> floats.add(t.getName()));
    for (NodeProto node : graph.getNodeList()) {
      boolean isFloat =
          SAME_TYPE.contains(node.getOpType())
              && node.getInputCount() > 0
              && floats.contains(node.getInput(0));
      if (isFloat) {
        // Only output 0 (MaxPool's second output is int64 indices); Split's outputs are all alike.
        if (node.getOpType().equals("Split")) {
          node.getOutputList().stream().filter(o -> !o.isEmpty()).forEach(floats::add);
        } else {
          floats.add(node.getOutput(0));
        }
      }
    }
    return floats;
  }
}
