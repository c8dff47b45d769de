package dev.kiln.profile;

import java.util.List;
import java.util.Objects;

/**
 * Decides whether an artifact may run on a device, before the agent loads it. The rules, checked in
 * this order so the refusal names the most basic mismatch:
 *
 * <ol>
 *   <li>The artifact's arch must equal the device's.
 *   <li>An artifact that needs CUDA or TensorRT needs a device with an NVIDIA accelerator, and
 *       TensorRT also needs {@code accelerator.tensorrtVersion}.
 *   <li>Every execution provider the artifact needs must be in the device profile's {@code
 *       runtime.executionProviders}.
 *   <li>The artifact's profile must be the device's own profile, or one of the generic target
 *       profiles ({@link Target}: linux-arm64, linux-x86_64, nvidia-gpu). Generic artifacts assume
 *       only the arch baseline, so they run on any device of that arch once rules 1-3 pass; in
 *       particular generic profiles of one arch accept each other's CPU artifacts. An artifact
 *       compiled for a concrete device (rpi5, x86-64-v4) may rely on its ISA extensions or file
 *       format, so it runs only on devices using that same profile.
 * </ol>
 */
public final class Compatibility {
  private Compatibility() {}

  /**
   * @param artifactArch the arch the artifact was compiled for, e.g. "arm64" (aliases accepted)
   * @param artifactProfile the name of the device profile it was compiled for
   * @param requiredExecutionProviders the ONNX Runtime providers the artifact cannot run without;
   *     CPU-only artifacts pass {@code ["CPUExecutionProvider"]} or an empty list
   * @param device the profile of the device asked to run it
   * @return ok with the rule that admitted it, or refused with the reason and what to do instead
   */
  public static CompatibilityResult check(
      String artifactArch,
      String artifactProfile,
      List<String> requiredExecutionProviders,
      DeviceProfile device) {
    Objects.requireNonNull(requiredExecutionProviders, "requiredExecutionProviders");
    Objects.requireNonNull(device, "device");
    String deviceLabel = device.arch() + " (profile " + device.name() + ")";

    Arch arch;
    try {
      arch = Arch.parse(artifactArch);
    } catch (ProfileException e) {
      return CompatibilityResult.refused("artifact has an unusable arch: " + e.getMessage());
    }
    if (arch != device.arch()) {
      return CompatibilityResult.refused(
          "artifact is for " + arch + " but this device is " + deviceLabel);
    }

    String cpuFallback = Target.cpuTarget(device.arch()).profileName();
    for (String provider : requiredExecutionProviders) {
      if (ExecutionProviders.needsNvidiaGpu(provider) && !device.hasNvidiaAccelerator()) {
        return CompatibilityResult.refused(
            "artifact needs "
                + provider
                + " but this device has no NVIDIA accelerator (profile "
                + device.name()
                + "); deploy a CPU build, e.g. one compiled for "
                + cpuFallback);
      }
      if (ExecutionProviders.TENSORRT.equals(provider) && !device.hasTensorRt()) {
        return CompatibilityResult.refused(
            "artifact needs "
                + provider
                + " but this device's GPU has no TensorRT (profile "
                + device.name()
                + " has no accelerator.tensorrtVersion); compile for "
                + device.name()
                + " instead");
      }
      if (!device.runtime().executionProviders().contains(provider)) {
        return CompatibilityResult.refused(
            "artifact needs "
                + provider
                + ", which profile "
                + device.name()
                + " does not list in runtime.executionProviders "
                + device.runtime().executionProviders());
      }
    }

    if (artifactProfile == null || artifactProfile.isBlank()) {
      return CompatibilityResult.refused("artifact names no device profile; recompile it");
    }
    if (artifactProfile.equals(device.name())) {
      return CompatibilityResult.compatible(
          "artifact was compiled for this device's profile " + device.name());
    }
    if (Target.isGenericProfile(artifactProfile)) {
      return CompatibilityResult.compatible(
          "artifact was compiled for generic profile "
              + artifactProfile
              + ", which runs on any "
              + arch
              + " device with the execution providers it needs");
    }
    return CompatibilityResult.refused(
        "artifact was compiled for profile "
            + artifactProfile
            + " but this device uses profile "
            + device.name()
            + "; compile for "
            + device.name()
            + " or for the generic target "
            + Target.cpuTarget(device.arch()).targetName());
  }
}
