package dev.kiln.compiler.ort;

import ai.onnxruntime.OnnxJavaType;
import java.util.Locale;

/** numpy dtype names for ONNX Runtime's element types. */
final class NumpyNames {
  private NumpyNames() {}

  static String of(OnnxJavaType type) {
    return switch (type) {
      case FLOAT -> "float32";
      case DOUBLE -> "float64";
      case FLOAT16 -> "float16";
      case BFLOAT16 -> "bfloat16";
      case INT8 -> "int8";
      case UINT8 -> "uint8";
      case INT16 -> "int16";
      case INT32 -> "int32";
      case INT64 -> "int64";
      case BOOL -> "bool";
      case STRING -> "string";
      default -> type.name().toLowerCase(Locale.ROOT);
    };
  }
}
