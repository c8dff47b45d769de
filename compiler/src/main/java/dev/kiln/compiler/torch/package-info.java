/**
 * Compiling TorchScript models: recognizing the source file, choosing the engine, then either
 * shipping the TorchScript for libtorch or exporting it to ONNX with the host's python and running
 * the ONNX pipeline, and checking the result against the original in libtorch. The only compiler
 * package that knows DJL and libtorch.
 */
package dev.kiln.compiler.torch;
