/**
 * Kiln's own graph rewrites on ONNX models (identity removal, constant folding, BatchNorm into
 * Conv, dead-node and unused-initializer removal) and {@link
 * dev.kiln.compiler.passes.PassPipeline}, which runs them in a fixed order until nothing changes.
 * Every pass leaves the outputs numerically unchanged.
 */
package dev.kiln.compiler.passes;
