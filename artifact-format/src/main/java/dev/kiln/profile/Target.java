package dev.kiln.profile;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The generic compile targets a user can name instead of a device, each backed by a generic
 * profile. Artifacts compiled for these profiles assume only the baseline of their arch, which is
 * why {@link Compatibility} lets them run on any device of that arch.
 */
public enum Target {
  ARM64("arm64", "linux-arm64", Arch.ARM64),
  X86_64("x86_64", "linux-x86_64", Arch.X86_64),
  NVIDIA("nvidia", "nvidia-gpu", Arch.X86_64);

  private final String targetName;
  private final String profileName;
  private final Arch arch;

  Target(String targetName, String profileName, Arch arch) {
    this.targetName = targetName;
    this.profileName = profileName;
    this.arch = arch;
  }

  /** What the user types: "arm64", "x86_64" or "nvidia". */
  public String targetName() {
    return targetName;
  }

  /** The generic profile this target compiles for, e.g. "linux-arm64". */
  public String profileName() {
    return profileName;
  }

  public Arch arch() {
    return arch;
  }

  /** Parses a target name; "aarch64" and "amd64" are accepted for the CPU targets. */
  public static Target parse(String value) {
    String wanted = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    for (Target target : values()) {
      if (target.targetName.equals(wanted)) {
        return target;
      }
    }
    switch (wanted) {
      case "aarch64":
        return ARM64;
      case "amd64":
      case "x86-64":
        return X86_64;
      default:
        throw new ProfileException(
            ProfileErrorCode.UNKNOWN_TARGET,
            "unknown target '" + value + "'; valid targets: " + validNames());
    }
  }

  /** The CPU-only target of an arch: the safe default for a device with no profile configured. */
  public static Target cpuTarget(Arch arch) {
    return arch == Arch.ARM64 ? ARM64 : X86_64;
  }

  /** Whether {@code profileName} is the profile of one of the generic targets. */
  public static boolean isGenericProfile(String profileName) {
    return Arrays.stream(values()).anyMatch(t -> t.profileName.equals(profileName));
  }

  static String validNames() {
    return Arrays.stream(values()).map(Target::targetName).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return targetName;
  }
}
