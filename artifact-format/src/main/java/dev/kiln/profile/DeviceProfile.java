package dev.kiln.profile;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What Kiln knows about a kind of device: enough to compile for it and to decide whether an
 * artifact runs on it. Read from {@code <name>.json}; the fields mirror
 * device-profiles/schema/device-profile.schema.json and docs/device-profiles.md. Instances that
 * come from {@link DeviceProfiles} have been validated.
 *
 * @param accelerator the device's accelerator, or null for a CPU-only device
 */
public record DeviceProfile(
    String name,
    String description,
    Arch arch,
    boolean generic,
    Cpu cpu,
    int memoryMb,
    Accelerator accelerator,
    RuntimeSettings runtime) {

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
   * @param ortFormat ship the model in ORT format instead of ONNX
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
