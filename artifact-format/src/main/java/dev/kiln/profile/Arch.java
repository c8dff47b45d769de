package dev.kiln.profile;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * CPU architecture of a device or an artifact. Each arch also owns the vocabulary its profiles may
 * use for {@code cpu.isa} and {@code cpu.features}, so a feature of the wrong arch (avx2 on an Arm
 * board) is caught when the profile loads.
 */
public enum Arch {
  ARM64(
      "arm64",
      Set.of("aarch64"),
      Pattern.compile("armv[89](\\.[0-9])?-a"),
      Set.of(
          "neon", "crc32", "aes", "sha2", "atomics", "fp16", "dotprod", "bf16", "i8mm", "sve",
          "sve2")),
  X86_64(
      "x86_64",
      Set.of("amd64", "x86-64", "x64"),
      Pattern.compile("x86-64(-v[234])?"),
      Set.of(
          "sse2",
          "sse4_2",
          "avx",
          "avx2",
          "fma",
          "f16c",
          "avx512f",
          "avx512bw",
          "avx512cd",
          "avx512dq",
          "avx512vl",
          "avx512vnni",
          "avx512bf16",
          "avxvnni",
          "amx"));

  private final String jsonName;
  private final Set<String> aliases;
  private final Pattern isaPattern;
  private final Set<String> cpuFeatures;

  Arch(String jsonName, Set<String> aliases, Pattern isaPattern, Set<String> cpuFeatures) {
    this.jsonName = jsonName;
    this.aliases = aliases;
    this.isaPattern = isaPattern;
    this.cpuFeatures = cpuFeatures;
  }

  /** The name used in profiles, manifests and on the command line: "arm64" or "x86_64". */
  @JsonValue
  public String jsonName() {
    return jsonName;
  }

  /** CPU feature names a profile of this arch may list, e.g. "dotprod" for arm64. */
  public Set<String> cpuFeatures() {
    return cpuFeatures;
  }

  /** Whether {@code isa} is an ISA level of this arch, e.g. "armv8.2-a" or "x86-64-v3". */
  public boolean isValidIsa(String isa) {
    return isa != null && isaPattern.matcher(isa).matches();
  }

  /**
   * Parses a user-supplied arch, accepting the names operating systems use ("aarch64", "amd64"), in
   * any case.
   */
  public static Arch parse(String value) {
    String wanted = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    for (Arch arch : values()) {
      if (arch.jsonName.equals(wanted) || arch.aliases.contains(wanted)) {
        return arch;
      }
    }
    throw new ProfileException(
        ProfileErrorCode.UNKNOWN_ARCH,
        "unknown arch '"
            + value
            + "'; valid values: "
            + validValues()
            + " (aliases: aarch64, amd64)");
  }

  /**
   * Profile files accept only the canonical names, so the files stay greppable and match the
   * schema; an alias gets a message saying what to write instead.
   */
  @JsonCreator
  static Arch fromJson(String value) {
    Arch arch = parse(value);
    if (!arch.jsonName.equals(value)) {
      throw new ProfileException(
          ProfileErrorCode.UNKNOWN_ARCH,
          "'" + value + "' is not a canonical arch; write '" + arch.jsonName + "'");
    }
    return arch;
  }

  /** The arch of the JVM running this code. */
  public static Arch host() {
    return fromOsArch(System.getProperty("os.arch"));
  }

  /** Maps a value of the {@code os.arch} system property to an arch. */
  public static Arch fromOsArch(String osArch) {
    String value = osArch == null ? "" : osArch.trim().toLowerCase(Locale.ROOT);
    return switch (value) {
      case "amd64", "x86_64" -> X86_64;
      case "aarch64", "arm64" -> ARM64;
      default ->
          throw new ProfileException(
              ProfileErrorCode.UNKNOWN_ARCH,
              "unsupported host architecture '"
                  + osArch
                  + "' (os.arch); Kiln runs on "
                  + validValues());
    };
  }

  static String validValues() {
    return Arrays.stream(values()).map(Arch::jsonName).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return jsonName;
  }
}
