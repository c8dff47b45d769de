/**
 * The staged compile of an ONNX model into an artifact: request and report, target resolution, the
 * load, specialize, optimize, verify, benchmark and package stages, and the shared rules ({@link
 * dev.kiln.compiler.pipeline.CompileSteps}) that the TorchScript compiler reuses so every artifact
 * is verified and packaged the same way.
 */
package dev.kiln.compiler.pipeline;
