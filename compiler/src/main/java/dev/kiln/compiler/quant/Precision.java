package dev.kiln.compiler.quant;

/** The number format a node of a compiled model computes in. */
public enum Precision {
  FP32,
  INT8,
  FP16
}
