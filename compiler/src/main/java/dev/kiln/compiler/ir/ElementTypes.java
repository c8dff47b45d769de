package dev.kiln.compiler.ir;

import dev.kiln.compiler.ir.proto.TensorProto.DataType;
import java.util.Locale;

/** Names ONNX element types the way numpy and the reference files spell them. */
public final class ElementTypes {
  private ElementTypes() {}

  /** {@code float32}, {@code int64}, ...; the raw number for types this build does not know. */
  public static String name(int elemType) {
    DataType t = DataType.forNumber(elemType);
    if (t == null) {
      return "type#" + elemType;
    }
    return switch (t) {
      case FLOAT -> "float32";
      case DOUBLE -> "float64";
      case FLOAT16 -> "float16";
      case BOOL -> "bool";
      case STRING -> "string";
      default -> t.name().toLowerCase(Locale.ROOT);
    };
  }
}
