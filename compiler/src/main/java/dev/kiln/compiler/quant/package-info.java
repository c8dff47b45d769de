/**
 * Reduced precision on Kiln's IR. Int8: {@link dev.kiln.compiler.quant.Int8Quantizer} writes static
 * QDQ (calibrated, per-channel int8 weights) or dynamic int8 (MatMul/Gemm) graphs in the form ONNX
 * Runtime's optimizer fuses into int8 kernels; {@link dev.kiln.compiler.quant.Int8Scheme} picks
 * activation type and weight range from the target's instruction set. Every result carries a
 * per-node precision table with the reason for each node.
 */
package dev.kiln.compiler.quant;
