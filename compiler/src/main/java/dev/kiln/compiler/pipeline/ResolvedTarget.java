package dev.kiln.compiler.pipeline;

import dev.kiln.compiler.ir.OpSupport;
import dev.kiln.compiler.ort.OrtOfflineOptimizer.OptimizerLevel;
import dev.kiln.profile.Arch;
import dev.kiln.profile.DeviceProfile;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A device profile plus what follows from it for this host: which ops must be supported, which ONNX
 * Runtime optimization level is safe to bake in, and whether to ship ORT format. It keeps the
 * host's arch and CPU features it was resolved against, so later stages judge the same host without
 * reading /proc/cpuinfo again.
 */
public record ResolvedTarget(
    DeviceProfile profile,
    OptimizerLevel optimizerLevel,
    String levelReason,
    boolean ortFormat,
    Arch hostArch,
    Set<String> hostFeatures) {

  /**
   * Why an ALL-level host-ISA payload ships as ORT format: the agent (since 0.1.0 with {@code
   * runtime.OrtRunnerFactory}) memory-maps it and ONNX Runtime uses the bytes in place, so load
   * time stops growing with the weights (docs/benchmarks.md, "Model load on the agent").
   */
  static final String ORT_FORMAT_REASON =
      "ORT format, memory-mapped: load no longer proportional to weight bytes";

  static ResolvedTarget of(DeviceProfile profile, Arch hostArch, Set<String> hostFeatures) {
    hostFeatures = Set.copyOf(hostFeatures);
    if (profile.hasNvidiaAccelerator()) {
      return new ResolvedTarget(
          profile,
          OptimizerLevel.BASIC,
          "basic: fusions beyond it are CPU-provider kernels the GPU providers lack",
          false,
          hostArch,
          hostFeatures);
    }
    if (profile.arch() != hostArch) {
      return new ResolvedTarget(
          profile,
          OptimizerLevel.EXTENDED,
          "extended: target arch " + profile.arch() + " differs from host, so no layout transforms",
          false,
          hostArch,
          hostFeatures);
    }
    Set<String> missing = new HashSet<>(profile.cpu().features());
    missing.removeAll(hostFeatures);
    if (!missing.isEmpty()) {
      return new ResolvedTarget(
          profile,
          OptimizerLevel.EXTENDED,
          "extended: host lacks "
              + missing
              + " that the profile has, so layouts can't be tuned here",
          false,
          hostArch,
          hostFeatures);
    }
    // Only a payload that is final for the device ships as ORT format. Below ALL level the device
    // optimizes at load (the manifest says ALL_OPT), ONNX Runtime then copies the initializers it
    // rewrites anyway, and an .ort loads no faster than an .onnx (docs/benchmarks.md).
    boolean ort = profile.runtime().ortFormat();
    return new ResolvedTarget(
        profile,
        OptimizerLevel.ALL,
        "all: target matches this host's ISA, so NCHWc layouts are valid"
            + (ort ? "; " + ORT_FORMAT_REASON : ""),
        ort,
        hostArch,
        hostFeatures);
  }

  /** Why the payload format differs from what the profile asks for, or null. */
  String formatNote() {
    return profile.runtime().ortFormat() && !ortFormat
        ? "profile "
            + profile.name()
            + " prefers ORT format, but this payload is not final for the device ("
            + levelReason
            + "), and an ORT-format payload the device still optimizes loads no faster than ONNX;"
            + " shipping ONNX. Compile on a host of the target's ISA for ORT format"
        : null;
  }

  public String arch() {
    return profile.arch().jsonName();
  }

  public List<String> executionProviders() {
    return profile.runtime().executionProviders();
  }

  OpSupport.Target opTarget() {
    // For GPU targets the check warns about ops that fall back from CUDA to the CPU provider.
    return profile.hasNvidiaAccelerator() ? OpSupport.Target.CUDA : OpSupport.Target.CPU;
  }
}
