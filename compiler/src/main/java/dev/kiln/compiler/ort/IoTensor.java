package dev.kiln.compiler.ort;

/**
 * A model input or output as ONNX Runtime reports it: numpy dtype name (the one the manifest and
 * the agent's HTTP API use) and shape, -1 where a dim is dynamic.
 */
public record IoTensor(String dtype, long[] shape) {}
