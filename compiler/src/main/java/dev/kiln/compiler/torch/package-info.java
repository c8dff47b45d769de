/**
 * The TorchScript front end: recognizing the source file, choosing the engine, then either shipping
 * the TorchScript for libtorch or exporting it to ONNX with the host's python for the pipeline's
 * ONNX stages, and checking the result against the original in libtorch. The only compiler package
 * that knows DJL and libtorch.
 */
package dev.kiln.compiler.torch;
