package dev.kiln.compiler.quant;

/** The 8-bit type activations are quantized to; weights are always int8. */
public enum ActivationType {
  /** U8S8: uint8 activations, what x86 VPMADDUBSW/VPDPBUSD multiply natively. */
  UINT8,
  /** S8S8: int8 activations. */
  INT8
}
