package dev.kiln.agent.serving;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Manifest;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Checks request tensors against the model's signature before they reach the engine, so a bad
 * request is a 400 naming the input and its expected dtype and shape, never an engine crash.
 */
public final class InputValidator {
  private InputValidator() {}

  public static void validate(
      String model, Manifest.IoSignature signature, Map<String, Tensor> inputs) {
    List<Manifest.TensorSpec> specs = signature.inputs();
    for (String name : inputs.keySet()) {
      if (specs.stream().noneMatch(s -> s.name().equals(name))) {
        throw new AgentException(
            AgentErrorCode.INVALID_INPUT,
            "model '"
                + model
                + "' has no input '"
                + name
                + "'; expected inputs: "
                + describe(specs));
      }
    }
    for (Manifest.TensorSpec spec : specs) {
      Tensor t = inputs.get(spec.name());
      if (t == null) {
        throw new AgentException(
            AgentErrorCode.INVALID_INPUT,
            "missing input '" + spec.name() + "'; expected " + describe(spec));
      }
      if (!t.dtype().numpyName().equals(spec.dtype())) {
        throw wrong(spec, "dtype " + t.dtype().numpyName());
      }
      checkShape(spec, t.shape());
    }
  }

  /**
   * Checks {@code shape} against the rank and fixed dimensions of {@code spec}. Decoders call it
   * with the shape a body claims before they allocate anything for it.
   */
  public static void checkShape(Manifest.TensorSpec spec, long[] shape) {
    if (spec.shape() == null) {
      return;
    }
    if (shape.length != spec.shape().size()) {
      throw wrong(spec, "shape " + Arrays.toString(shape));
    }
    for (int i = 0; i < shape.length; i++) {
      long want = spec.shape().get(i);
      if (shape[i] < 1 || (want >= 0 && shape[i] != want)) {
        throw wrong(spec, "shape " + Arrays.toString(shape));
      }
    }
  }

  private static AgentException wrong(Manifest.TensorSpec spec, String got) {
    return new AgentException(
        AgentErrorCode.INVALID_INPUT,
        "input '" + spec.name() + "' has " + got + "; expected " + describe(spec));
  }

  static String describe(Manifest.TensorSpec spec) {
    return spec.name() + ": " + spec.dtype() + " " + spec.shape() + " (-1 = any size)";
  }

  static String describe(List<Manifest.TensorSpec> specs) {
    return specs.stream().map(InputValidator::describe).toList().toString();
  }
}
