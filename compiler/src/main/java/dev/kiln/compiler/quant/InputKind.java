package dev.kiln.compiler.quant;

import dev.kiln.compiler.ir.proto.NodeProto;
import java.util.Set;

/** What one input of a statically quantized node becomes. */
enum InputKind {
  /** A computed float tensor: read through QuantizeLinear -> DequantizeLinear. */
  ACTIVATION,
  /**
   * A float initializer in an activation slot (Add's constant): stored 8-bit with its own range.
   */
  CONSTANT_ACTIVATION,
  /** Conv/MatMul/Gemm weights: int8, symmetric, per channel. */
  WEIGHT,
  /** Conv/Gemm bias: int32 at scale input_scale * weight_scale. */
  BIAS,
  /** Not float data (a shape, axes): left alone. */
  OTHER;

  static InputKind of(NodeProto node, int i, OpRole role, Set<String> constants) {
    String name = node.getInput(i);
    boolean constant = constants.contains(name);
    if (name.isEmpty()) {
      return OTHER;
    }
    if (i == role.weightInput() && constant) {
      return WEIGHT;
    }
    if (i == role.biasInput()) {
      return BIAS;
    }
    if (role.allInputsActivations() || i == 0 || i == role.weightInput()) {
      return constant ? CONSTANT_ACTIVATION : ACTIVATION;
    }
    return OTHER;
  }
}
