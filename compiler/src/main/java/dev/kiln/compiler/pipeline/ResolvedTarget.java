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
 * Runtime optimization level is safe to bake in, and whether to ship ORT format.
 */
public record ResolvedTarget(
    DeviceProfile profile, OptimizerLevel optimizerLevel, String levelReason, boolean ortFormat) {

  static ResolvedTarget of(DeviceProfile profile, Arch hostArch, Set<String> hostFeatures) {
    if (profile.hasNvidiaAccelerator()) {
      return new ResolvedTarget(
          profile,
          OptimizerLevel.BASIC,
          "basic: fusions beyond it are CPU-provider kernels the GPU providers lack",
          false);
    }
    if (profile.arch() != hostArch) {
      return new ResolvedTarget(
          profile,
          OptimizerLevel.EXTENDED,
          "extended: target arch " + profile.arch() + " differs from host, so no layout transforms",
          profile.runtime().ortFormat());
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
          profile.runtime().ortFormat());
    }
    return new ResolvedTarget(
        profile,
        OptimizerLevel.ALL,
        "all: target matches this host's ISA, so NCHWc layouts are valid",
        profile.runtime().ortFormat());
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
