package dev.kiln.artifact;

import java.util.Map;

/**
 * {@code sample.json}: inputs the compiler fed both models and the source model's outputs. A device
 * replays it before a new version takes traffic.
 */
public record VerificationSample(
    Map<String, TensorData> inputs, Map<String, TensorData> outputs, double tolerance) {}
