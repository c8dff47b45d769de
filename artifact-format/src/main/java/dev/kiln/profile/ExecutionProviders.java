package dev.kiln.profile;

import java.util.List;
import java.util.Set;

/**
 * ONNX Runtime execution-provider names as ONNX Runtime spells them. Profiles may list only these,
 * so a misspelling ("CudaExecutionProvider") fails at load time instead of silently falling back to
 * CPU on the device.
 */
public final class ExecutionProviders {
  public static final String CPU = "CPUExecutionProvider";
  public static final String CUDA = "CUDAExecutionProvider";
  public static final String TENSORRT = "TensorrtExecutionProvider";

  /** Every name a profile may use, in the order the schema lists them. */
  public static final List<String> KNOWN =
      List.of(
          CPU,
          CUDA,
          TENSORRT,
          "XnnpackExecutionProvider",
          "ACLExecutionProvider",
          "ArmNNExecutionProvider",
          "DnnlExecutionProvider",
          "OpenVINOExecutionProvider");

  private static final Set<String> NEEDS_NVIDIA = Set.of(CUDA, TENSORRT);

  private ExecutionProviders() {}

  /** Whether the provider runs only on an NVIDIA GPU. */
  public static boolean needsNvidiaGpu(String provider) {
    return NEEDS_NVIDIA.contains(provider);
  }
}
