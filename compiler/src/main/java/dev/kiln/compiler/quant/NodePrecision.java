package dev.kiln.compiler.quant;

/**
 * What one node of a reduced-precision model runs in, and why: a row of the report's per-op
 * precision table.
 *
 * @param reason why the node has this precision, e.g. "int8: QLinearConv after ORT fusion" or
 *     "fp32: Softmax has no int8 kernel that pays"
 */
public record NodePrecision(String node, String opType, Precision precision, String reason) {}
