package dev.kiln.artifact;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * The contract between the compiler and the agent: everything a device needs to decide whether it
 * can run an artifact, and how. Serialized as {@code manifest.json}; see docs/artifact-format.md.
 * Field order here is the order on disk, which keeps archives byte-identical across builds.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Manifest(
    int formatVersion,
    ModelInfo model,
    SourceInfo source,
    TargetInfo target,
    EngineInfo engine,
    Payload payload,
    IoSignature signature,
    List<PassRecord> passes,
    Verification verification,
    Benchmark benchmark,
    Sizes sizes,
    CompilerInfo compiler,
    Quantization quantization) {

  /**
   * A full-precision artifact: no quantization section (as every manifest before format 1.x had).
   */
  public Manifest(
      int formatVersion,
      ModelInfo model,
      SourceInfo source,
      TargetInfo target,
      EngineInfo engine,
      Payload payload,
      IoSignature signature,
      List<PassRecord> passes,
      Verification verification,
      Benchmark benchmark,
      Sizes sizes,
      CompilerInfo compiler) {
    this(
        formatVersion,
        model,
        source,
        target,
        engine,
        payload,
        signature,
        passes,
        verification,
        benchmark,
        sizes,
        compiler,
        null);
  }

  /** Name and version of the model as deployed; the agent keys its store on these. */
  public record ModelInfo(String name, String version) {}

  /** What the artifact was compiled from. {@code framework} is "onnx" or "torchscript". */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record SourceInfo(String framework, String fileName, String sha256, Integer opset) {}

  /** The device profile the artifact was compiled for. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TargetInfo(String profile, String arch, AcceleratorInfo accelerator) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AcceleratorInfo(
      String type, String computeCapability, String cudaVersion, String tensorrtVersion) {}

  /**
   * How to run the payload. {@code name} is "onnxruntime" or "pytorch"; execution providers are in
   * preference order; {@code nativeRequirements} names the native libraries the device must have.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record EngineInfo(
      String name,
      String version,
      List<String> executionProviders,
      int threads,
      Map<String, String> sessionOptions,
      List<String> nativeRequirements) {}

  /** The model file inside the artifact; {@code format} is "onnx", "ort" or "torchscript". */
  public record Payload(String file, String format, long bytes, String sha256) {}

  public record IoSignature(List<TensorSpec> inputs, List<TensorSpec> outputs) {}

  /** A named tensor; -1 in {@code shape} marks a dimension left dynamic. */
  public record TensorSpec(String name, String dtype, List<Long> shape) {}

  public record PassRecord(
      String name, boolean changed, int nodesBefore, int nodesAfter, String detail) {}

  /**
   * How the compiled model was checked against the source. The sample (inputs and the source's
   * outputs) ships as {@code sampleFile} so a device can repeat the check before taking traffic.
   */
  public record Verification(
      boolean passed,
      String method,
      int samples,
      double maxAbsError,
      double maxRelError,
      double tolerance,
      String worstOutput,
      String sampleFile,
      String sampleSha256) {}

  /** Host measurements; absent when the compile ran with benchmarking skipped. */
  public record Benchmark(String host, int runs, Timing source, Timing compiled) {}

  public record Timing(double loadMs, double p50Ms, double p95Ms) {}

  public record Sizes(long sourceBytes, long payloadBytes) {}

  public record CompilerInfo(String name, String version) {}

  /**
   * How a reduced-precision artifact was made and judged; absent for fp32 artifacts, so manifests
   * written before quantization existed still parse.
   *
   * @param precision "int8" or "fp16"
   * @param scheme the whole scheme in words, e.g. "int8 static QDQ, U8S8 ..."
   * @param activations activation type: "uint8", "int8" or "float16"
   * @param weights weight type and granularity, e.g. "int8 per-channel"
   * @param method "static-qdq", "dynamic" or "fp16"
   * @param calibration calibration method ("minmax", "percentile"), null when none ran
   * @param why why this scheme for this target
   * @param verifiedOn where the gate ran, e.g. "onnxruntime-cpu" or "fp16 simulated on CPU"
   * @param ops per op type, how many nodes run in each precision
   * @param keptFp32 nodes kept in fp32 and why (the sensitivity pass, or no kernel that pays)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Quantization(
      String precision,
      String scheme,
      String activations,
      String weights,
      String method,
      String calibration,
      String why,
      Integer calibrationSamples,
      int heldOutSamples,
      String verifiedOn,
      Gate gate,
      List<OpPrecision> ops,
      List<KeptNode> keptFp32) {
    /** How {@link #weights} says the weights use 7 of int8's bits. */
    public static final String SEVEN_BIT_RANGE = "7-bit range";

    /** int8 weights over int8's full range, which x86 CPUs without VNNI saturate on. */
    public boolean fullRangeInt8Weights() {
      return "int8".equals(precision) && weights != null && !weights.contains(SEVEN_BIT_RANGE);
    }
  }

  /**
   * The accuracy gate's figures on the held-out samples: the worst output's, with the thresholds.
   * SQNR is capped at 200 dB (no measurable noise).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Gate(
      boolean passed,
      Double top1Agreement,
      double sqnrDb,
      double relativeError,
      double maxAbsError,
      double minTop1Agreement,
      double minSqnrDb,
      double maxRelativeError) {}

  /** One op type's nodes, counted by precision, e.g. Conv: {int8: 19, fp32: 1}. */
  public record OpPrecision(String opType, Map<String, Integer> counts) {}

  public record KeptNode(String node, String opType, String reason) {}
}
