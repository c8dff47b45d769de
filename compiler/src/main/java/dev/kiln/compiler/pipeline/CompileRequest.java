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
 * @param quantize {@code --quantize} and the accuracy gate's thresholds; {@link
 *     QuantizeOptions#NONE} for a full-precision compile
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
    String engine,
    QuantizeOptions quantize) {

  public static final double DEFAULT_TOLERANCE = 1e-4;

  public CompileRequest {
    quantize = quantize != null ? quantize : QuantizeOptions.NONE;
  }

  /** A full-precision request (no {@code --quantize}). */
  public CompileRequest(
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
    this(
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
        engine,
        QuantizeOptions.NONE);
  }

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
    return copy().device(newDevice).build();
  }

  public CompileRequest withInputShapes(Map<String, long[]> shapes) {
    return copy().inputShapes(shapes).build();
  }

  public CompileRequest withSkipBenchmark(boolean skip) {
    return copy().skipBenchmark(skip).build();
  }

  public CompileRequest withForce(boolean newForce) {
    return copy().force(newForce).build();
  }

  public CompileRequest withSignKey(Path key) {
    return copy().signKey(key).build();
  }

  public CompileRequest withEngine(String newEngine) {
    return copy().engine(newEngine).build();
  }

  /** The model's name and version in the artifact (null name: the source file's name). */
  public CompileRequest withIdentity(String newName, String newVersion) {
    return copy().identity(newName, newVersion).build();
  }

  public CompileRequest withTolerance(double newTolerance) {
    return copy().tolerance(newTolerance).build();
  }

  public CompileRequest withQuantize(QuantizeOptions newQuantize) {
    return copy().quantize(newQuantize).build();
  }

  public CompileRequest withCalibrationData(Path data) {
    return copy().calibrationData(data).build();
  }

  private Copy copy() {
    return new Copy(this);
  }

  /** A mutable copy, so each {@code with} method names only the field it changes. */
  private static final class Copy {
    private final CompileRequest r;
    private String device;
    private Map<String, long[]> inputShapes;
    private boolean force;
    private Path signKey;
    private double tolerance;
    private boolean skipBenchmark;
    private String engine;
    private String name;
    private String version;
    private QuantizeOptions quantize;
    private Path calibrationData;

    Copy(CompileRequest r) {
      this.r = r;
      this.device = r.device;
      this.inputShapes = r.inputShapes;
      this.force = r.force;
      this.signKey = r.signKey;
      this.tolerance = r.tolerance;
      this.skipBenchmark = r.skipBenchmark;
      this.engine = r.engine;
      this.name = r.name;
      this.version = r.version;
      this.quantize = r.quantize;
      this.calibrationData = r.calibrationData;
    }

    Copy quantize(QuantizeOptions v) {
      quantize = v;
      return this;
    }

    Copy calibrationData(Path v) {
      calibrationData = v;
      return this;
    }

    Copy identity(String newName, String newVersion) {
      name = newName;
      version = newVersion;
      return this;
    }

    Copy device(String v) {
      device = v;
      return this;
    }

    Copy inputShapes(Map<String, long[]> v) {
      inputShapes = v;
      return this;
    }

    Copy force(boolean v) {
      force = v;
      return this;
    }

    Copy signKey(Path v) {
      signKey = v;
      return this;
    }

    Copy tolerance(double v) {
      tolerance = v;
      return this;
    }

    Copy skipBenchmark(boolean v) {
      skipBenchmark = v;
      return this;
    }

    Copy engine(String v) {
      engine = v;
      return this;
    }

    CompileRequest build() {
      return new CompileRequest(
          r.source,
          r.target,
          device,
          inputShapes,
          name,
          version,
          r.output,
          r.directoryOutput,
          force,
          signKey,
          tolerance,
          calibrationData,
          r.verifySamples,
          skipBenchmark,
          r.benchmarkRuns,
          engine,
          quantize);
    }
  }
}
