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

  /**
   * The agent loads ONNX Runtime models through DJL 0.35, which opens only {@code .onnx} files, so
   * payloads stay ONNX even for profiles that prefer ORT format. Flip this once the agent can load
   * ORT format; the optimizer already writes it.
   */
  static final boolean SHIP_ORT_FORMAT = false;

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
          SHIP_ORT_FORMAT && profile.runtime().ortFormat());
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
          SHIP_ORT_FORMAT && profile.runtime().ortFormat());
    }
    return new ResolvedTarget(
        profile,
        OptimizerLevel.ALL,
        "all: target matches this host's ISA, so NCHWc layouts are valid",
        SHIP_ORT_FORMAT && profile.runtime().ortFormat());
  }

  /** Why the payload format differs from what the profile asks for, or null. */
  String formatNote() {
    return profile.runtime().ortFormat() && !ortFormat
        ? "profile "
            + profile.name()
            + " prefers ORT format, but the agent's engine (DJL 0.35) loads .onnx only; shipping ONNX"
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
