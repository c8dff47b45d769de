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
    CompilerInfo compiler) {

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
}
