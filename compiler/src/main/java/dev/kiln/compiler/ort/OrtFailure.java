package dev.kiln.compiler.ort;

import ai.onnxruntime.OrtException;

/**
 * ONNX Runtime refused or failed to run a model. Translated at the {@code ort/} boundary so callers
 * choose their own error code from ORT's message without depending on ORT's types.
 */
public final class OrtFailure extends Exception {
  OrtFailure(OrtException cause) {
    super(cause.getMessage(), cause);
  }
}
