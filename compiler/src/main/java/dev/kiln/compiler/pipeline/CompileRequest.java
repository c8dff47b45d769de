package dev.kiln.compiler.pipeline;

import java.nio.file.Path;
import java.util.Map;

/**
 * Everything one compile needs, validated by {@link Compiler} before any work starts.
 *
 * @param target "arm64", "x86_64" or "nvidia" (the generic profile); null when {@code device} names
 *     one
 * @param device a device profile name, e.g. "rpi4"; wins over {@code target}
 * @param inputShapes dims to fix, by input name (from {@code --input-shape})
 * @param output a directory to write into, or a path ending in .kiln
 * @param engine "onnxruntime", "pytorch" or null for the best that works on the target
 * @param calibrationData reference-format JSON whose inputs replace the random verification inputs
 */
public record CompileRequest(
    Path source,
    String target,
    String device,
    Map<String, long[]> inputShapes,
    String name,
    String version,
    Path output,
    boolean directoryOutput,
    boolean force,
    Path signKey,
    double tolerance,
    Path calibrationData,
    int verifySamples,
    boolean skipBenchmark,
    int benchmarkRuns,
    String engine) {

  public static final double DEFAULT_TOLERANCE = 1e-4;

  /** A request with defaults for everything but the model and its target. */
  public static CompileRequest of(Path source, String target, Path output) {
    return new CompileRequest(
        source,
        target,
        null,
        Map.of(),
        null,
        "1.0.0",
        output,
        false,
        false,
        null,
        DEFAULT_TOLERANCE,
        null,
        3,
        false,
        30,
        null);
  }

  public CompileRequest withDevice(String newDevice) {
    return new CompileRequest(
        source,
        target,
        newDevice,
        inputShapes,
        name,
        version,
        output,
        directoryOutput,
        force,
        signKey,
        tolerance,
        calibrationData,
        verifySamples,
        skipBenchmark,
        benchmarkRuns,
        engine);
  }

  public CompileRequest withInputShapes(Map<String, long[]> shapes) {
    return new CompileRequest(
        source,
        target,
        device,
        shapes,
        name,
        version,
        output,
        directoryOutput,
        force,
        signKey,
        tolerance,
        calibrationData,
        verifySamples,
        skipBenchmark,
        benchmarkRuns,
        engine);
  }

  public CompileRequest withSkipBenchmark(boolean skip) {
    return new CompileRequest(
        source,
        target,
        device,
        inputShapes,
        name,
        version,
        output,
        directoryOutput,
        force,
        signKey,
        tolerance,
        calibrationData,
        verifySamples,
        skip,
        benchmarkRuns,
        engine);
  }

  public CompileRequest withForce(boolean newForce) {
    return new CompileRequest(
        source,
        target,
        device,
        inputShapes,
        name,
        version,
        output,
        directoryOutput,
        newForce,
        signKey,
        tolerance,
        calibrationData,
        verifySamples,
        skipBenchmark,
        benchmarkRuns,
        engine);
  }

  public CompileRequest withSignKey(Path key) {
    return new CompileRequest(
        source,
        target,
        device,
        inputShapes,
        name,
        version,
        output,
        directoryOutput,
        force,
        key,
        tolerance,
        calibrationData,
        verifySamples,
        skipBenchmark,
        benchmarkRuns,
        engine);
  }

  public CompileRequest withEngine(String newEngine) {
    return new CompileRequest(
        source,
        target,
        device,
        inputShapes,
        name,
        version,
        output,
        directoryOutput,
        force,
        signKey,
        tolerance,
        calibrationData,
        verifySamples,
        skipBenchmark,
        benchmarkRuns,
        newEngine);
  }

  public CompileRequest withTolerance(double newTolerance) {
    return new CompileRequest(
        source,
        target,
        device,
        inputShapes,
        name,
        version,
        output,
        directoryOutput,
        force,
        signKey,
        newTolerance,
        calibrationData,
        verifySamples,
        skipBenchmark,
        benchmarkRuns,
        engine);
  }
}
