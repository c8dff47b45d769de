package dev.kiln.compiler.passes;

import dev.kiln.compiler.ir.proto.AttributeProto;
import dev.kiln.compiler.ir.proto.NodeProto;
import dev.kiln.compiler.ir.proto.TensorProto.DataType;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Java implementations of the ops {@link ConstantFolding} evaluates. Each returns null when it
 * cannot evaluate the node exactly as ONNX Runtime would, and the node is then left alone.
 */
final class FoldKernels {
  static final Set<String> OPS =
      Set.of(
          "Constant",
          "Identity",
          "Add",
          "Sub",
          "Mul",
          "Div",
          "Reshape",
          "Unsqueeze",
          "Squeeze",
          "Concat",
          "Gather",
          "Cast",
          "Transpose");

  private FoldKernels() {}

  /**
   * @param in constant inputs in node order; null for an omitted optional input
   * @param opset the model's default-domain opset, which decides attribute-vs-input forms
   */
  static ConstTensor eval(NodeProto node, List<ConstTensor> in, long opset) {
    return switch (node.getOpType()) {
      case "Constant" -> constant(node);
      case "Identity" -> in.get(0);
      case "Add", "Sub", "Mul", "Div" -> Broadcast.apply(node.getOpType(), in.get(0), in.get(1));
      case "Reshape" -> Shapes.reshape(node, in, opset);
      case "Unsqueeze" -> Shapes.unsqueeze(in.get(0), axes(node, in, opset));
      case "Squeeze" -> Shapes.squeeze(in.get(0), axes(node, in, opset));
      case "Concat" -> Shapes.concat(in, Attributes.getInt(node, "axis", Long.MIN_VALUE));
      case "Gather" -> Shapes.gather(in.get(0), in.get(1), Attributes.getInt(node, "axis", 0));
      case "Transpose" -> Shapes.transpose(in.get(0), Attributes.getInts(node, "perm"));
      case "Cast" -> cast(in.get(0), (int) Attributes.getInt(node, "to", 0));
      default -> null;
    };
  }

  /** Axes of Squeeze/Unsqueeze: an attribute before opset 13, the second input from 13 on. */
  private static long[] axes(NodeProto node, List<ConstTensor> in, long opset) {
    if (opset < 13) {
      return Attributes.getInts(node, "axes");
    }
    ConstTensor axes = in.size() > 1 ? in.get(1) : null;
    return axes == null ? null : axes.ints();
  }

  private static ConstTensor constant(NodeProto node) {
    if (node.getAttributeCount() != 1) {
      return null;
    }
    AttributeProto a = node.getAttribute(0);
    return switch (a.getName()) {
      case "value" ->
          ConstTensor.isSupported(a.getT().getDataType()) ? ConstTensor.of(a.getT()) : null;
      case "value_float" ->
          new ConstTensor(DataType.FLOAT_VALUE, new long[0], new double[] {a.getF()}, null);
      case "value_floats" ->
          new ConstTensor(
              DataType.FLOAT_VALUE,
              new long[] {a.getFloatsCount()},
              a.getFloatsList().stream().mapToDouble(Float::doubleValue).toArray(),
              null);
      case "value_int" -> ConstTensor.ofLongs(new long[0], new long[] {a.getI()});
      case "value_ints" ->
          ConstTensor.ofLongs(
              new long[] {a.getIntsCount()},
              a.getIntsList().stream().mapToLong(Long::longValue).toArray());
      default -> null;
    };
  }

  private static ConstTensor cast(ConstTensor x, int to) {
    if (!ConstTensor.isSupported(to)) {
      return null;
    }
    boolean toFloating = ConstTensor.isFloating(to);
    if (x.floating() && toFloating) {
      double[] out = x.reals().clone();
      if (to == DataType.FLOAT_VALUE) {
        for (int i = 0; i < out.length; i++) {
          out[i] = (float) out[i];
        }
      }
      return new ConstTensor(to, x.dims(), out, null);
    }
    if (!x.floating() && !toFloating) {
      long[] out = x.ints().clone();
      if (to == DataType.INT32_VALUE) {
        for (int i = 0; i < out.length; i++) {
          out[i] = (int) out[i];
        }
      }
      return new ConstTensor(to, x.dims(), null, out);
    }
    if (toFloating) {
      double[] out = new double[x.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = to == DataType.FLOAT_VALUE ? (float) x.ints()[i] : (double) x.ints()[i];
      }
      return new ConstTensor(to, x.dims(), out, null);
    }
    // Float to integer truncates toward zero; NaN, infinities and out-of-range values are
    // undefined in C++, so those are left for ONNX Runtime to decide.
    long[] out = new long[x.size()];
    double lo = to == DataType.INT32_VALUE ? Integer.MIN_VALUE : -0x1p63;
    double hi = to == DataType.INT32_VALUE ? Integer.MAX_VALUE : 0x1p63;
    for (int i = 0; i < out.length; i++) {
      double v = x.reals()[i];
      if (Double.isNaN(v) || v < lo || v >= hi) {
        return null;
      }
      out[i] = (long) v;
    }
    return new ConstTensor(to, x.dims(), null, out);
  }

  /** Shape of a tensor as int64, honouring opset 15's start/end slice attributes. */
  static ConstTensor shapeOf(NodeProto node, long[] dims) {
    int rank = dims.length;
    long start = Attributes.getInt(node, "start", 0);
    long end = Attributes.getInt(node, "end", rank);
    start = Math.max(0, Math.min(rank, start < 0 ? start + rank : start));
    end = Math.max(0, Math.min(rank, end < 0 ? end + rank : end));
    long[] out = end > start ? Arrays.copyOfRange(dims, (int) start, (int) end) : new long[0];
    return ConstTensor.ofLongs(new long[] {out.length}, out);
  }
}
