package dev.kiln.profile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/** What this machine's CPU can do, in device-profile feature names. */
public final class HostCpu {
  private HostCpu() {}

  /** Feature names as profiles spell them, read from /proc/cpuinfo (empty where unreadable). */
  public static Set<String> features() {
    Set<String> flags = new HashSet<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        String lower = line.toLowerCase(Locale.ROOT);
        if (lower.startsWith("flags") || lower.startsWith("features")) {
          for (String flag : lower.substring(lower.indexOf(':') + 1).trim().split("\\s+")) {
            flags.add(flag);
          }
        }
      }
    } catch (IOException | IndexOutOfBoundsException e) {
      return Set.of();
    }
    Set<String> features = new HashSet<>(flags);
    // cpuinfo and the profiles name a few features differently.
    alias(flags, features, "avx512_vnni", "avx512vnni");
    alias(flags, features, "asimd", "neon");
    alias(flags, features, "asimddp", "dotprod");
    alias(flags, features, "asimdhp", "fp16");
    return features;
  }

  /**
   * AVX-512 VNNI or AVX-VNNI, as profiles and /proc/cpuinfo spell them: the x86 instructions that
   * multiply uint8 by int8 without a saturating 16-bit step.
   */
  public static boolean hasVnni(Set<String> features) {
    return features.contains("avx512vnni")
        || features.contains("avx512_vnni")
        || features.contains("avxvnni")
        || features.contains("avx_vnni");
  }

  /**
   * Whether ONNX Runtime's default int8 kernels on a CPU of {@code arch} with {@code features}
   * saturate on full-range (8-bit) int8 weights: x86_64 without VNNI multiplies uint8 by int8 with
   * VPMADDUBSW, whose 16-bit pair sums overflow on them; VNNI and arm64 compute them exactly. 7-bit
   * weights never saturate.
   */
  public static boolean saturatesFullRangeInt8(Arch arch, Set<String> features) {
    return arch == Arch.X86_64 && !hasVnni(features);
  }

  private static void alias(Set<String> flags, Set<String> features, String flag, String name) {
    if (flags.contains(flag)) {
      features.add(name);
    }
  }
}
