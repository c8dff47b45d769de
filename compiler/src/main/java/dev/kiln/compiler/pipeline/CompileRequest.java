package dev.kiln.compiler.pipeline;

import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.profile.InferenceEngine;
import dev.kiln.profile.ProfileException;
import dev.kiln.profile.Target;
import java.nio.file.Path;
import java.util.Map;

/**
 * Everything one compile needs, validated by {@link Compiler} before any work starts. Built with
 * {@link #builder(Path)}: each field is named where it is set, and the target and engine are typed,
 * parsed once from what the user typed ({@link Builder#target(String)}, {@link
 * Builder#engine(String)}).
 */
public final class CompileRequest {
  public static final double DEFAULT_TOLERANCE = 1e-4;

  private final Path source;
  private final Target target;
  private final String device;
  private final Map<String, long[]> inputShapes;
  private final String name;
  private final String version;
  private final Path output;
  private final boolean directoryOutput;
  private final boolean force;
  private final Path signKey;
  private final double tolerance;
  private final Path calibrationData;
  private final int verifySamples;
  private final boolean skipBenchmark;
  private final int benchmarkRuns;
  private final InferenceEngine engine;
  private final QuantizeOptions quantize;

  private CompileRequest(Builder b) {
    this.source = b.source;
    this.target = b.target;
    this.device = b.device;
    this.inputShapes = b.inputShapes;
    this.name = b.name;
    this.version = b.version;
    this.output = b.output;
    this.directoryOutput = b.directoryOutput;
    this.force = b.force;
    this.signKey = b.signKey;
    this.tolerance = b.tolerance;
    this.calibrationData = b.calibrationData;
    this.verifySamples = b.verifySamples;
    this.skipBenchmark = b.skipBenchmark;
    this.benchmarkRuns = b.benchmarkRuns;
    this.engine = b.engine;
    this.quantize = b.quantize != null ? b.quantize : QuantizeOptions.NONE;
  }

  /** A request for {@code source} with the CLI's defaults for everything else. */
  public static Builder builder(Path source) {
    return new Builder(source);
  }

  /** A request with defaults for everything but the model and its target. */
  public static CompileRequest of(Path source, String target, Path output) {
    return builder(source).target(target).output(output).build();
  }

  /** A builder holding this request's values, to change some of them. */
  public Builder toBuilder() {
    return toBuilder(source);
  }

  private Builder toBuilder(Path newSource) {
    Builder b = new Builder(newSource);
    b.target = target;
    b.device = device;
    b.inputShapes = inputShapes;
    b.name = name;
    b.version = version;
    b.output = output;
    b.directoryOutput = directoryOutput;
    b.force = force;
    b.signKey = signKey;
    b.tolerance = tolerance;
    b.calibrationData = calibrationData;
    b.verifySamples = verifySamples;
    b.skipBenchmark = skipBenchmark;
    b.benchmarkRuns = benchmarkRuns;
    b.engine = engine;
    b.quantize = quantize;
    return b;
  }

  /**
   * Parses {@code --target}: "arm64", "x86_64" or "nvidia" (and the aliases {@link Target} takes);
   * null stays null.
   */
  public static Target parseTarget(String value) {
    if (value == null) {
      return null;
    }
    try {
      return Target.parse(value);
    } catch (ProfileException e) {
      throw new CompileException(CompileErrorCode.UNKNOWN_TARGET, e.getMessage(), e);
    }
  }

  /** Parses {@code --engine}: "onnxruntime" or "pytorch"; null stays null (the best that works). */
  public static InferenceEngine parseEngine(String value) {
    if (value == null) {
      return null;
    }
    for (InferenceEngine e : InferenceEngine.values()) {
      if (e.jsonName().equals(value)) {
        return e;
      }
    }
    throw new CompileException(
        CompileErrorCode.BAD_INPUT,
        "unknown --engine '" + value + "'; valid values: onnxruntime, pytorch (or omit it)");
  }

  public Path source() {
    return source;
  }

  /** The generic target; null when {@link #device()} names a profile, or for the host's arch. */
  public Target target() {
    return target;
  }

  /** A device profile name, e.g. "rpi4"; wins over {@link #target()}. */
  public String device() {
    return device;
  }

  /** Dims to fix, by input name (from {@code --input-shape}). */
  public Map<String, long[]> inputShapes() {
    return inputShapes;
  }

  public String name() {
    return name;
  }

  public String version() {
    return version;
  }

  /** A directory to write into, or a path ending in .kiln. */
  public Path output() {
    return output;
  }

  public boolean directoryOutput() {
    return directoryOutput;
  }

  public boolean force() {
    return force;
  }

  public Path signKey() {
    return signKey;
  }

  public double tolerance() {
    return tolerance;
  }

  /** Real inputs (file or folder) that replace the random verification inputs; null for none. */
  public Path calibrationData() {
    return calibrationData;
  }

  public int verifySamples() {
    return verifySamples;
  }

  public boolean skipBenchmark() {
    return skipBenchmark;
  }

  public int benchmarkRuns() {
    return benchmarkRuns;
  }

  /** The engine asked for; null for the best that works on the target. */
  public InferenceEngine engine() {
    return engine;
  }

  /** {@code --quantize} and the gate's thresholds; {@link QuantizeOptions#NONE} for fp32. */
  public QuantizeOptions quantize() {
    return quantize;
  }

  /** This request for another model file, e.g. the ONNX a TorchScript model was converted to. */
  public CompileRequest withSource(Path newSource) {
    return toBuilder(newSource).build();
  }

  public CompileRequest withDevice(String newDevice) {
    return toBuilder().device(newDevice).build();
  }

  public CompileRequest withInputShapes(Map<String, long[]> shapes) {
    return toBuilder().inputShapes(shapes).build();
  }

  public CompileRequest withSkipBenchmark(boolean skip) {
    return toBuilder().skipBenchmark(skip).build();
  }

  public CompileRequest withForce(boolean newForce) {
    return toBuilder().force(newForce).build();
  }

  public CompileRequest withSignKey(Path key) {
    return toBuilder().signKey(key).build();
  }

  public CompileRequest withEngine(String newEngine) {
    return toBuilder().engine(newEngine).build();
  }

  /** The model's name and version in the artifact (null name: the source file's name). */
  public CompileRequest withIdentity(String newName, String newVersion) {
    return toBuilder().name(newName).version(newVersion).build();
  }

  public CompileRequest withTolerance(double newTolerance) {
    return toBuilder().tolerance(newTolerance).build();
  }

  public CompileRequest withQuantize(QuantizeOptions newQuantize) {
    return toBuilder().quantize(newQuantize).build();
  }

  public CompileRequest withCalibrationData(Path data) {
    return toBuilder().calibrationData(data).build();
  }

  /** Names each field where it is set; defaults are the CLI's. */
  public static final class Builder {
    private final Path source;
    private Target target;
    private String device;
    private Map<String, long[]> inputShapes = Map.of();
    private String name;
    private String version = "1.0.0";
    private Path output;
    private boolean directoryOutput;
    private boolean force;
    private Path signKey;
    private double tolerance = DEFAULT_TOLERANCE;
    private Path calibrationData;
    private int verifySamples = 3;
    private boolean skipBenchmark;
    private int benchmarkRuns = 30;
    private InferenceEngine engine;
    private QuantizeOptions quantize = QuantizeOptions.NONE;

    private Builder(Path source) {
      this.source = source;
    }

    public Builder target(Target value) {
      target = value;
      return this;
    }

    /** As typed by the user; an unknown name fails with the valid ones listed. */
    public Builder target(String value) {
      return target(parseTarget(value));
    }

    public Builder device(String value) {
      device = value;
      return this;
    }

    public Builder inputShapes(Map<String, long[]> value) {
      inputShapes = value;
      return this;
    }

    public Builder name(String value) {
      name = value;
      return this;
    }

    public Builder version(String value) {
      version = value;
      return this;
    }

    public Builder output(Path value) {
      output = value;
      return this;
    }

    public Builder directoryOutput(boolean value) {
      directoryOutput = value;
      return this;
    }

    public Builder force(boolean value) {
      force = value;
      return this;
    }

    public Builder signKey(Path value) {
      signKey = value;
      return this;
    }

    public Builder tolerance(double value) {
      tolerance = value;
      return this;
    }

    public Builder calibrationData(Path value) {
      calibrationData = value;
      return this;
    }

    public Builder verifySamples(int value) {
      verifySamples = value;
      return this;
    }

    public Builder skipBenchmark(boolean value) {
      skipBenchmark = value;
      return this;
    }

    public Builder benchmarkRuns(int value) {
      benchmarkRuns = value;
      return this;
    }

    public Builder engine(InferenceEngine value) {
      engine = value;
      return this;
    }

    /** As typed by the user; an unknown name fails with the valid ones listed. */
    public Builder engine(String value) {
      return engine(parseEngine(value));
    }

    public Builder quantize(QuantizeOptions value) {
      quantize = value;
      return this;
    }

    public CompileRequest build() {
      return new CompileRequest(this);
    }
  }
}
