package dev.kiln.compiler.quant;

/** How activations get their int8 ranges. */
public enum Int8Method {
  /** Ranges fixed at compile time from calibration data; QuantizeLinear/DequantizeLinear pairs. */
  STATIC_QDQ,
  /** Ranges measured per inference at run time; int8 weights for MatMul/Gemm only. */
  DYNAMIC
}
