package dev.kiln.agent.serving;

import dev.kiln.artifact.Manifest;
import dev.kiln.profile.Arch;
import dev.kiln.profile.HostCpu;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Whether an int8 artifact computes here as it did where it was compiled. Full-range int8 weights
 * (compiled for a VNNI or arm64 profile, or for a generic x86_64 target by a compiler before
 * 2026-12-04 on a VNNI host) saturate in ONNX Runtime's default kernels on an x86_64 CPU without
 * VNNI: mobilenet_v2 measured 22 dB SQNR there against the 33 dB its gate saw. The health check
 * catches it where the drift leaves the sample's tolerance, not always (the seeded mobilenet_v2's
 * outputs sit below it); either way this note says why, and what to deploy instead.
 */
final class Int8OnThisCpu {
  private Int8OnThisCpu() {}

  /** Read on first use: an agent serving only fp32 artifacts never reads /proc/cpuinfo. */
  private static final class ThisCpu {
    static final Set<String> FEATURES = HostCpu.features();
  }

  /** The note for this agent's CPU; empty when the artifact computes here as compiled. */
  static Optional<String> saturationNote(Manifest manifest) {
    return saturationNote(manifest, Arch.host(), () -> ThisCpu.FEATURES);
  }

  /**
   * @param features asked for only when the manifest claims full-range int8 weights, so that fp32
   *     artifacts never have /proc/cpuinfo read
   */
  static Optional<String> saturationNote(
      Manifest manifest, Arch arch, Supplier<Set<String>> features) {
    Manifest.Quantization q = manifest.quantization();
    if (q == null
        || !q.fullRangeInt8Weights()
        || !HostCpu.saturatesFullRangeInt8(arch, features.get())) {
      return Optional.empty();
    }
    return Optional.of(
        "its int8 weights use the full 8-bit range, which this CPU (x86_64 without VNNI)"
            + " multiplies with saturating kernels, so its outputs drift from the compiler's"
            + " (profile "
            + manifest.target().profile()
            + "); recompile it for this device's profile or with --target x86_64, which gives"
            + " 7-bit weights");
  }
}
