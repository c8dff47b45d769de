package dev.kiln.profile;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What Kiln knows about a kind of device: enough to compile for it and to decide whether an
 * artifact runs on it. Read from {@code <name>.json}; the fields mirror
 * device-profiles/schema/device-profile.schema.json and docs/device-profiles.md. Instances that
 * come from {@link DeviceProfiles} have been validated.
 *
 * @param accelerator the device's accelerator, or null for a CPU-only device
 * @param inputSizes the sizes the device's inputs have, for models with dynamic dims; null when the
 *     profile does not say (the one optional field: profiles written before it stay valid)
 */
public record DeviceProfile(
    String name,
    String description,
    Arch arch,
    boolean generic,
    Cpu cpu,
    int memoryMb,
    Accelerator accelerator,
    RuntimeSettings runtime,
    @JsonInclude(JsonInclude.Include.NON_NULL) InputSizes inputSizes) {

  /** Fields a profile file may leave out; every other field must be written, even as null. */
  public static final List<String> OPTIONAL_FIELDS = List.of("inputSizes");

  /** A profile that declares no input sizes. */
  public DeviceProfile(
      String name,
      String description,
      Arch arch,
      boolean generic,
      Cpu cpu,
      int memoryMb,
      Accelerator accelerator,
      RuntimeSettings runtime) {
    this(name, description, arch, generic, cpu, memoryMb, accelerator, runtime, null);
  }

  /**
   * @param isa ISA level the compiler may assume, e.g. "armv8.2-a" or "x86-64-v3"
   * @param features CPU features the compiler may assume, from {@link Arch#cpuFeatures()}
   * @param cores CPU cores (or vCPUs) available to inference
   */
  public record Cpu(String model, String isa, List<String> features, int cores) {
    public Cpu {
      features = readOnlyCopy(features);
    }

    public boolean has(String feature) {
      return features != null && features.contains(feature);
    }
  }

  /**
   * @param type accelerator vendor; only {@value #NVIDIA} exists today
   * @param computeCapability CUDA compute capability "major.minor", e.g. "8.7"
   * @param tensorrtVersion TensorRT version installed on the device, or null when there is none
   */
  public record Accelerator(
      String type,
      String name,
      String computeCapability,
      String cudaVersion,
      String tensorrtVersion) {
    public static final String NVIDIA = "nvidia";
  }

  /**
   * @param executionProviders ONNX Runtime providers in preference order, CPU last
   * @param threads intra-op threads for inference
   * @param ortFormat ship the model in ORT format instead of ONNX where the payload is final for
   *     the device (a CPU target of the compile host's ISA, optimized at ONNX Runtime's ALL level);
   *     false keeps ONNX, for agents that predate ORT-format support
   */
  public record RuntimeSettings(
      InferenceEngine preferredEngine,
      List<String> executionProviders,
      int threads,
      Precision precision,
      boolean ortFormat) {
    public RuntimeSettings {
      executionProviders = readOnlyCopy(executionProviders);
    }
  }

  /**
   * What size the inputs a device feeds its models have, so that the compiler can verify and time a
   * model with dynamic dims at real sizes when the user gives neither {@code --input-shape} nor
   * real inputs. A profile describes a device, not a model, so sizes are keyed by what models
   * share: the name of a symbolic dim, or the rank of an input.
   *
   * @param dims size per symbolic dim name, e.g. {@code {"height": 480, "width": 640}}; may be null
   *     or empty
   * @param byRank per input rank ("4"), a whole shape whose entries size that input's dynamic dims
   *     by position, e.g. {@code {"4": [1, 3, 480, 640]}}; used only where it agrees with every
   *     static dim of the input, so an NHWC model is not sized as NCHW; may be null or empty
   */
  public record InputSizes(Map<String, Long> dims, Map<String, List<Long>> byRank) {
    /** Fields of this object a profile may leave out. */
    public static final List<String> OPTIONAL_FIELDS = List.of("dims", "byRank");

    public InputSizes {
      dims = dims == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(dims));
      byRank = byRank == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(byRank));
    }
  }

  /** Whether the device has an NVIDIA GPU, so CUDA execution providers can run. */
  public boolean hasNvidiaAccelerator() {
    return accelerator != null && Accelerator.NVIDIA.equals(accelerator.type());
  }

  /** Whether the device's NVIDIA GPU has TensorRT installed. */
  public boolean hasTensorRt() {
    return hasNvidiaAccelerator() && accelerator.tensorrtVersion() != null;
  }

  // Nulls (list or element) survive so the validator, not a constructor NPE, reports them.
  private static List<String> readOnlyCopy(List<String> values) {
    return values == null ? null : Collections.unmodifiableList(new ArrayList<>(values));
  }
}
