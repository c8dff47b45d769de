/**
 * The compile of a model into an artifact: request and report, target resolution, the one stage
 * sequence ({@link dev.kiln.compiler.pipeline.Compiler}) that every front end plugs into ({@link
 * dev.kiln.compiler.pipeline.FrontEndPlugin}), and the ONNX Runtime stages ({@link
 * dev.kiln.compiler.pipeline.OnnxCompile}) that ONNX models and models converted to ONNX share.
 */
package dev.kiln.compiler.pipeline;
