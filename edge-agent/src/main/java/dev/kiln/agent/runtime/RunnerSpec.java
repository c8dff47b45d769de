package dev.kiln.agent.runtime;

import dev.kiln.artifact.Manifest;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything an engine needs to load one payload, taken from the artifact manifest.
 *
 * @param format "onnx" or "torchscript"
 * @param executionProviders ONNX Runtime providers in preference order; CPU when empty
 * @param threads intra-op threads; 0 lets the engine decide
 * @param inputNames input names in the model's positional order
 * @param outputNames output names in the model's positional order
 * @param predictors how many requests may run the model at once
 */
public record RunnerSpec(
    Path payload,
    String format,
    List<String> executionProviders,
    int threads,
    List<String> inputNames,
    List<String> outputNames,
    int predictors) {

  /**
   * @param threadsOverride the device's {@code threads.inference}; 0 keeps the manifest's value,
   *     which came from the device profile at compile time
   */
  public static RunnerSpec fromManifest(
      Manifest m, Path payload, int threadsOverride, int predictors) {
    Manifest.EngineInfo engine = m.engine();
    int threads = threadsOverride > 0 ? threadsOverride : (engine == null ? 0 : engine.threads());
    return new RunnerSpec(
        payload,
        m.payload().format(),
        engine == null || engine.executionProviders() == null
            ? List.of()
            : engine.executionProviders(),
        threads,
        m.signature().inputs().stream().map(Manifest.TensorSpec::name).toList(),
        m.signature().outputs().stream().map(Manifest.TensorSpec::name).toList(),
        predictors);
  }
}
