/**
 * ONNX models as Kiln reads them: reading and writing model files with classified errors, checking
 * opsets and operators against what ONNX Runtime supports, fixing dynamic input shapes, and tensor
 * conversions. Graph rewrites live in {@code dev.kiln.compiler.passes}.
 */
package dev.kiln.compiler.ir;
