package dev.kiln.agent.runtime;

import dev.kiln.artifact.Manifest;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything an engine needs to load one payload, taken from the artifact manifest.
 *
 * @param format "onnx", "ort" or "torchscript"
 * @param executionProviders ONNX Runtime providers in preference order; CPU when empty
 * @param threads intra-op threads; 0 lets the engine decide
 * @param sessionOptions the manifest's {@code engine.sessionOptions} (ONNX Runtime's optimization
 *     level the payload must be loaded at, threads, ...); empty for old manifests and TorchScript
 * @param inputNames input names in the model's positional order
 * @param outputNames output names in the model's positional order
 * @param predictors how many requests may run the model at once
 * @param threadsChosen whether the agent chose {@code threads} ({@link InferenceThreads}) rather
 *     than the device's {@code threads.inference}: only then may a run alone use every predictor's
 *     threads ({@link LoneRuns})
 */
public record RunnerSpec(
    Path payload,
    String format,
    List<String> executionProviders,
    int threads,
    Map<String, String> sessionOptions,
    List<String> inputNames,
    List<String> outputNames,
    int predictors,
    boolean threadsChosen) {

  /** A spec whose threads were configured, not chosen. */
  public RunnerSpec(
      Path payload,
      String format,
      List<String> executionProviders,
      int threads,
      Map<String, String> sessionOptions,
      List<String> inputNames,
      List<String> outputNames,
      int predictors) {
    this(
        payload,
        format,
        executionProviders,
        threads,
        sessionOptions,
        inputNames,
        outputNames,
        predictors,
        false);
  }

  public RunnerSpec {
    executionProviders = executionProviders == null ? List.of() : List.copyOf(executionProviders);
    sessionOptions = withoutNulls(sessionOptions);
  }

  /** The same payload and threads, run by {@code n} predictors. */
  public RunnerSpec withPredictors(int n) {
    return new RunnerSpec(
        payload,
        format,
        executionProviders,
        threads,
        sessionOptions,
        inputNames,
        outputNames,
        n,
        threadsChosen);
  }

  /** The same payload with {@code n} intra-op threads. */
  public RunnerSpec withThreads(int n) {
    return new RunnerSpec(
        payload,
        format,
        executionProviders,
        n,
        sessionOptions,
        inputNames,
        outputNames,
        predictors,
        threadsChosen);
  }

  private static Map<String, String> withoutNulls(Map<String, String> options) {
    Map<String, String> copy = new LinkedHashMap<>();
    if (options != null) {
      options.forEach(
          (k, v) -> {
            if (k != null && v != null) {
              copy.put(k, v);
            }
          });
    }
    return Collections.unmodifiableMap(copy);
  }

  /**
   * @param threadsOverride the device's {@code threads.inference}; 0 lets {@link InferenceThreads}
   *     choose from the manifest's value (the compile profile's core count) and the cores this JVM
   *     may use
   */
  public static RunnerSpec fromManifest(
      Manifest m, Path payload, int threadsOverride, int predictors) {
    return fromManifest(
        m, payload, threadsOverride, predictors, Runtime.getRuntime().availableProcessors());
  }

  /**
   * @param cores cores available to the agent
   */
  public static RunnerSpec fromManifest(
      Manifest m, Path payload, int threadsOverride, int predictors, int cores) {
    Manifest.EngineInfo engine = m.engine();
    int threads =
        InferenceThreads.perPredictor(
            threadsOverride, engine == null ? 0 : engine.threads(), predictors, cores);
    return new RunnerSpec(
        payload,
        m.payload().format(),
        engine == null ? List.of() : engine.executionProviders(),
        threads,
        engine == null ? Map.of() : engine.sessionOptions(),
        m.signature().inputs().stream().map(Manifest.TensorSpec::name).toList(),
        m.signature().outputs().stream().map(Manifest.TensorSpec::name).toList(),
        predictors,
        threadsOverride <= 0);
  }
}
