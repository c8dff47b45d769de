package dev.kiln.compiler.quant;

import dev.kiln.compiler.ir.Tensors;
import dev.kiln.compiler.ir.proto.AttributeProto;
import dev.kiln.compiler.ir.proto.NodeProto;
import dev.kiln.compiler.ir.proto.TensorProto.DataType;
import java.util.List;

/** Attributes that name or hold a float type: what an fp16 node must say instead. */
final class Fp16Attributes {
  private static final int FLOAT = DataType.FLOAT_VALUE;
  private static final int FLOAT16 = DataType.FLOAT16_VALUE;

  private Fp16Attributes() {}

  static NodeProto fix(NodeProto node) {
    NodeProto.Builder b = node.toBuilder();
    boolean hasValue = false;
    for (int i = 0; i < b.getAttributeCount(); i++) {
      AttributeProto a = b.getAttribute(i);
      AttributeProto.Builder ab = a.toBuilder();
      switch (a.getName()) {
        case "to", "dtype" -> {
          if (a.getI() == FLOAT) {
            ab.setI(FLOAT16);
          }
        }
        case "value" -> {
          hasValue = true;
          if (a.hasT() && a.getT().getDataType() == FLOAT) {
            ab.setT(Fp16Tensors.toFp16(a.getT()).tensor());
          }
        }
        case "value_float", "value_floats" -> {
          hasValue = true;
          float[] v =
              a.getName().equals("value_float")
                  ? new float[] {a.getF()}
                  : toArray(a.getFloatsList());
          long[] dims = a.getName().equals("value_float") ? new long[0] : new long[] {v.length};
          ab.clear()
              .setName("value")
              .setType(AttributeProto.AttributeType.TENSOR)
              .setT(Fp16Tensors.toFp16(Tensors.ofFloats(null, dims, v)).tensor());
        }
        default -> {}
      }
      b.setAttribute(i, ab);
    }
    String op = node.getOpType();
    if (op.equals("ConstantOfShape") && !hasValue) {
      // The default value is a float32 zero.
      b.addAttribute(
          AttributeProto.newBuilder()
              .setName("value")
              .setType(AttributeProto.AttributeType.TENSOR)
              .setT(
                  Fp16Tensors.toFp16(Tensors.ofFloats(null, new long[] {1}, new float[] {0f}))
                      .tensor()));
    }
    if ((op.equals("RandomNormal") || op.equals("RandomUniform"))
        && ValueTypes.attr(node, "dtype") == null) {
      b.addAttribute(
          AttributeProto.newBuilder()
              .setName("dtype")
              .setType(AttributeProto.AttributeType.INT)
              .setI(FLOAT16));
    }
    return b.build();
  }

  private static float[] toArray(List<Float> list) {
    float[] out = new float[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = list.get(i);
    }
    return out;
  }
}
