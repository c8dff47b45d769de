package dev.kiln.cli.bundle;

import java.util.Arrays;

/**
 * A Linux CPU architecture an agent bundle can target, with the directory names each native library
 * vendor uses for it inside its jars (they disagree: ONNX Runtime says linux-x64, DJL says
 * linux-x86_64, JNA says linux-x86-64).
 */
public enum TargetArch {
  ARM64("arm64", "linux-aarch64", "linux-aarch64", "linux-aarch64"),
  X86_64("x86_64", "linux-x86_64", "linux-x64", "linux-x86-64");

  private final String id;
  private final String djlPlatform;
  private final String onnxRuntimePlatform;
  private final String jnaPlatform;

  TargetArch(String id, String djlPlatform, String onnxRuntimePlatform, String jnaPlatform) {
    this.id = id;
    this.djlPlatform = djlPlatform;
    this.onnxRuntimePlatform = onnxRuntimePlatform;
    this.jnaPlatform = jnaPlatform;
  }

  /** JNA's com/sun/jna/ directory, e.g. linux-x86-64. */
  public String jnaPlatform() {
    return jnaPlatform;
  }

  /** The name used in manifests, profiles and bundle file names: "arm64" or "x86_64". */
  public String id() {
    return id;
  }

  /** DJL's classifier and jnilib directory, e.g. linux-aarch64. */
  public String djlPlatform() {
    return djlPlatform;
  }

  /** ONNX Runtime's ai/onnxruntime/native/ directory, e.g. linux-x64. */
  public String onnxRuntimePlatform() {
    return onnxRuntimePlatform;
  }

  public static TargetArch parse(String text) {
    String wanted = text.trim().toLowerCase(java.util.Locale.ROOT);
    if (wanted.equals("aarch64")) {
      return ARM64;
    }
    if (wanted.equals("amd64") || wanted.equals("x64")) {
      return X86_64;
    }
    return Arrays.stream(values())
        .filter(arch -> arch.id.equals(wanted))
        .findFirst()
        .orElseThrow(
            () ->
                new BundleException(
                    BundleErrorCode.UNKNOWN_TARGET,
                    "unknown target '" + text + "'; use --target arm64 or --target x86_64"));
  }

  @Override
  public String toString() {
    return id;
  }
}
