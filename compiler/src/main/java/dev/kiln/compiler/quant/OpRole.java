package dev.kiln.compiler.quant;

import java.util.Map;

/**
 * How static QDQ treats one op type: which inputs are activations, which is the weight (and the
 * axis its output channels lie on), which is the bias, and whether the output shares its input's
 * quantization (data-movement ops ONNX Runtime runs directly on 8-bit values once their QDQ pair is
 * dropped, which needs identical params on both sides).
 *
 * @param fusedAs what ONNX Runtime's QDQ fusion turns the node into, for the precision table
 */
record OpRole(
    String fusedAs,
    boolean allInputsActivations,
    int weightInput,
    int biasInput,
    boolean sharesInput) {

  static final int NONE = -1;

  private static final Map<String, OpRole> ROLES =
      Map.ofEntries(
          Map.entry("Conv", new OpRole("QLinearConv", false, 1, 2, false)),
          Map.entry("MatMul", new OpRole("QLinearMatMul", false, 1, NONE, false)),
          Map.entry("Gemm", new OpRole("QGemm", false, 1, 2, false)),
          Map.entry("Add", new OpRole("QLinearAdd", true, NONE, NONE, false)),
          Map.entry("Mul", new OpRole("QLinearMul", true, NONE, NONE, false)),
          Map.entry("Concat", new OpRole("QLinearConcat", true, NONE, NONE, false)),
          Map.entry("AveragePool", new OpRole("QLinearAveragePool", false, NONE, NONE, false)),
          Map.entry(
              "GlobalAveragePool",
              new OpRole("QLinearGlobalAveragePool", false, NONE, NONE, false)),
          Map.entry("Sigmoid", new OpRole("QLinearSigmoid", false, NONE, NONE, false)),
          Map.entry("MaxPool", new OpRole("uint8 MaxPool", false, NONE, NONE, true)),
          Map.entry("Reshape", new OpRole("8-bit Reshape", false, NONE, NONE, true)),
          Map.entry("Flatten", new OpRole("8-bit Flatten", false, NONE, NONE, true)),
          Map.entry("Transpose", new OpRole("8-bit Transpose", false, NONE, NONE, true)),
          Map.entry("Squeeze", new OpRole("8-bit Squeeze", false, NONE, NONE, true)),
          Map.entry("Unsqueeze", new OpRole("8-bit Unsqueeze", false, NONE, NONE, true)));

  /** The role of {@code opType}, or null when static QDQ leaves it in fp32. */
  static OpRole of(String opType) {
    return ROLES.get(opType);
  }
}
