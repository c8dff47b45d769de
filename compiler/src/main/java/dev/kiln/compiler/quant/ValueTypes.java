package dev.kiln.compiler.quant;

import dev.kiln.compiler.ir.proto.AttributeProto;
import dev.kiln.compiler.ir.proto.GraphProto;
import dev.kiln.compiler.ir.proto.GraphProtoOrBuilder;
import dev.kiln.compiler.ir.proto.NodeProto;
import dev.kiln.compiler.ir.proto.TensorProto;
import dev.kiln.compiler.ir.proto.TensorProto.DataType;
import dev.kiln.compiler.ir.proto.ValueInfoProto;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The element type of every value of a top-level graph. Exporters write value_info for some values
 * only, so types are propagated through the nodes in graph order with the ONNX type rules of the
 * ops that change a type; every other op passes its first input's type on. Declared types (inputs,
 * outputs, initializers, value_info) win over inferred ones.
 */
final class ValueTypes {
  private static final Set<String> INT64_OUT =
      Set.of("Shape", "Size", "NonZero", "ArgMax", "ArgMin");
  private static final Set<String> BOOL_OUT =
      Set.of(
          "Equal",
          "Less",
          "Greater",
          "LessOrEqual",
          "GreaterOrEqual",
          "And",
          "Or",
          "Xor",
          "Not",
          "IsNaN",
          "IsInf");

  private final Map<String, Integer> types = new HashMap<>();

  private ValueTypes() {}

  static ValueTypes of(GraphProtoOrBuilder graph) {
    ValueTypes v = new ValueTypes();
    Map<String, Integer> declared = new HashMap<>();
    graph.getInputList().forEach(vi -> declare(declared, vi));
    graph.getOutputList().forEach(vi -> declare(declared, vi));
    graph.getValueInfoList().forEach(vi -> declare(declared, vi));
    graph.getInitializerList().forEach(t -> declared.put(t.getName(), t.getDataType()));
    v.types.putAll(declared);
    for (NodeProto node : graph.getNodeList()) {
      for (int i = 0; i < node.getOutputCount(); i++) {
        String out = node.getOutput(i);
        if (!out.isEmpty() && !declared.containsKey(out)) {
          v.types.put(out, v.outputType(node, i));
        }
      }
    }
    return v;
  }

  /** The value's element type, {@code DataType.UNDEFINED_VALUE} when unknown. */
  int get(String name) {
    return types.getOrDefault(name, DataType.UNDEFINED_VALUE);
  }

  boolean isFloat(String name) {
    return get(name) == DataType.FLOAT_VALUE;
  }

  private static void declare(Map<String, Integer> declared, ValueInfoProto vi) {
    if (vi.getType().hasTensorType() && vi.getType().getTensorType().getElemType() != 0) {
      declared.put(vi.getName(), vi.getType().getTensorType().getElemType());
    }
  }

  private int outputType(NodeProto node, int index) {
    String op = node.getOpType();
    if (INT64_OUT.contains(op)) {
      return DataType.INT64_VALUE;
    }
    if (BOOL_OUT.contains(op)) {
      return DataType.BOOL_VALUE;
    }
    return switch (op) {
      case "Cast" -> (int) intAttr(node, "to", DataType.UNDEFINED_VALUE);
      case "CastLike" -> input(node, 1);
      case "Constant" -> constantType(node);
      case "ConstantOfShape" -> {
        AttributeProto value = attr(node, "value");
        yield value == null ? DataType.FLOAT_VALUE : value.getT().getDataType();
      }
      case "RandomNormal", "RandomUniform" -> (int) intAttr(node, "dtype", DataType.FLOAT_VALUE);
      case "EyeLike", "RandomNormalLike", "RandomUniformLike", "Bernoulli" ->
          (int) intAttr(node, "dtype", input(node, 0));
      case "TopK", "MaxPool", "Unique" -> index == 0 ? input(node, 0) : DataType.INT64_VALUE;
      case "Dropout" -> index == 0 ? input(node, 0) : DataType.BOOL_VALUE;
      case "Where" -> input(node, 1);
      case "LayerNormalization" ->
          index == 0 ? input(node, 0) : (int) intAttr(node, "stash_type", DataType.FLOAT_VALUE);
      case "DequantizeLinear" -> input(node, 1);
      case "QuantizeLinear" ->
          node.getInputCount() > 2 && !node.getInput(2).isEmpty()
              ? input(node, 2)
              : (int) intAttr(node, "output_dtype", DataType.UINT8_VALUE);
      case "DynamicQuantizeLinear" -> index == 1 ? DataType.FLOAT_VALUE : DataType.UINT8_VALUE;
      case "MatMulInteger", "ConvInteger" -> DataType.INT32_VALUE;
      case "If", "Loop", "Scan" -> subgraphOutputType(node, index);
      default -> input(node, 0);
    };
  }

  private int input(NodeProto node, int i) {
    return i < node.getInputCount() ? get(node.getInput(i)) : DataType.UNDEFINED_VALUE;
  }

  private static int constantType(NodeProto node) {
    for (AttributeProto a : node.getAttributeList()) {
      switch (a.getName()) {
        case "value":
          return a.getT().getDataType();
        case "value_float", "value_floats":
          return DataType.FLOAT_VALUE;
        case "value_int", "value_ints":
          return DataType.INT64_VALUE;
        case "value_string", "value_strings":
          return DataType.STRING_VALUE;
        default:
          break;
      }
    }
    return DataType.UNDEFINED_VALUE;
  }

  /** If: output i of the then branch; Loop: body output i + 1 (after cond); Scan: body output i. */
  private static int subgraphOutputType(NodeProto node, int index) {
    for (AttributeProto a : node.getAttributeList()) {
      if (!a.hasG()) {
        continue;
      }
      GraphProto g = a.getG();
      int at = node.getOpType().equals("Loop") ? index + 1 : index;
      if (at < g.getOutputCount()) {
        return g.getOutput(at).getType().getTensorType().getElemType();
      }
    }
    return DataType.UNDEFINED_VALUE;
  }

  static AttributeProto attr(NodeProto node, String name) {
    for (AttributeProto a : node.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a;
      }
    }
    return null;
  }

  private static long intAttr(NodeProto node, String name, long fallback) {
    AttributeProto a = attr(node, name);
    return a == null ? fallback : a.getI();
  }

  /** Float tensors a node reads or writes (its top-level inputs and outputs). */
  List<String> floatValues(NodeProto node) {
    java.util.ArrayList<String> out = new java.util.ArrayList<>();
    for (String n : node.getInputList()) {
      if (!n.isEmpty() && isFloat(n)) {
        out.add(n);
      }
    }
    for (String n : node.getOutputList()) {
      if (!n.isEmpty() && isFloat(n)) {
        out.add(n);
      }
    }
    return out;
  }

  static boolean isFloatTensor(TensorProto t) {
    return t.getDataType() == DataType.FLOAT_VALUE;
  }
}
