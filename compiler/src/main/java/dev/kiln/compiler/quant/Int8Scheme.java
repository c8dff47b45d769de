package dev.kiln.compiler.quant;

import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.NodeProto;
import dev.kiln.profile.Arch;
import dev.kiln.profile.DeviceProfile;
import dev.kiln.profile.HostCpu;
import java.util.HashSet;
import java.util.Set;

/**
 * How a model is quantized to int8 for one target.
 *
 * @param perChannelWeights one weight scale per output channel (instead of one per tensor)
 * @param reduceRange weights use 7 bits ([-64, 63]): x86 AVX2 without VNNI multiplies u8 by s8 with
 *     VPMADDUBSW, whose 16-bit sums saturate on full-range weights
 * @param why the rule and the feature that decided, for the report and the manifest
 */
public record Int8Scheme(
    Int8Method method,
    ActivationType activations,
    boolean perChannelWeights,
    boolean reduceRange,
    String why) {

  /**
   * Chosen from the device profile's {@code cpu.features} and arch alone. A generic profile lists
   * only its arch's baseline, and its artifacts run on any device of that arch ({@code
   * Compatibility}), so a generic x86_64 target gets 7-bit weights even when the compiling host has
   * VNNI: full-range weights compiled on a VNNI laptop saturated on an AVX2 device (mobilenet_v2 22
   * dB against 33). A device profile that lists VNNI (x86-64-v4) gets full-range weights, and its
   * artifacts run only on devices with that profile.
   */
  public static Int8Scheme forTarget(DeviceProfile profile) {
    Set<String> features = new HashSet<>(profile.cpu().features());
    String source =
        profile.generic()
            ? "generic profile " + profile.name() + " (its arch's baseline)"
            : "profile " + profile.name();
    return profile.arch() == Arch.ARM64
        ? forArm64(features, source)
        : forX86(features, source, profile.generic());
  }

  /*
   * x86_64, measured on this host (AVX-512 VNNI, 2 threads, ORT 1.21 at ALL, p50 int8/fp32, load
   * average 8-15 from parallel builds): U8S8 resnet18 0.35x, mobilenet_v2 0.44-0.53x; S8S8
   * resnet18 0.91x, mobilenet_v2 0.78x, because ORT's QDQ fusion left all Adds and 11 of 20 (resnet18)
   * or 15 of 52 (mobilenet_v2) Convs in fp32 with int8 activations. So U8S8 everywhere on x86.
   * Without VNNI, VPMADDUBSW adds two u8*s8 products into a saturating int16, so weights drop to
   * 7 bits (ORT's reduce_range); the AVX2 figures (U8S8 0.63x resnet18) were taken so.
   */
  private static Int8Scheme forX86(Set<String> features, String source, boolean generic) {
    if (HostCpu.hasVnni(features)) {
      return new Int8Scheme(
          Int8Method.STATIC_QDQ,
          ActivationType.UINT8,
          true,
          false,
          "U8S8: "
              + source
              + " features have VNNI, whose VPDPBUSD multiplies uint8 by int8 without saturation");
    }
    String why =
        hasAny(features, "avx2")
            ? "U8S8 with 7-bit weights: " + source + " features have avx2 but no VNNI"
            : "U8S8 with 7-bit weights: " + source + " features have neither avx2 nor VNNI";
    if (generic) {
      why += "; compile for a device profile that lists VNNI for full-range weights";
    }
    return new Int8Scheme(Int8Method.STATIC_QDQ, ActivationType.UINT8, true, true, why);
  }

  /*
   * arm64: U8S8 with full-range weights, with or without dotprod. NEON has no saturating
   * u8*s8 pair-add like VPMADDUBSW (MLAS widens with UMULL/UADALP, or accumulates in 32 bits
   * with UDOT when dotprod exists), so 7-bit weights would only cost accuracy. uint8 activations
   * because on this host's ONNX Runtime 1.21 only U8S8 fuses completely; S8S8 left Add and half of
   * the Convs in fp32 (see forX86). Not measured on arm64 hardware: the QDQ fusion rules are the
   * same code on every arch, the kernels are not.
   */
  private static Int8Scheme forArm64(Set<String> features, String source) {
    boolean dot = hasAny(features, "dotprod", "asimddp");
    return new Int8Scheme(
        Int8Method.STATIC_QDQ,
        ActivationType.UINT8,
        true,
        false,
        "U8S8: arm64, "
            + source
            + (dot
                ? " features have dotprod (UDOT kernels)"
                : " features lack dotprod (NEON UMULL kernels)")
            + "; no 16-bit saturation on arm64, so full-range weights; not measured on arm64 hardware");
  }

  private static boolean hasAny(Set<String> features, String... names) {
    for (String name : names) {
      if (features.contains(name)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether this host's default int8 kernels would saturate on this scheme's weights where the
   * device's do not: an x86_64 CPU without VNNI multiplies with VPMADDUBSW, whose 16-bit pair sums
   * overflow on full-range weights, which a VNNI or arm64 device computes exactly. Compiling such a
   * target on an AVX2-only laptop (for an arm64 board, say) is the common case. The gate then runs
   * on ONNX Runtime's exact kernels ({@code HostModel.loadExactInt8}).
   */
  public boolean saturatesOnHost(Arch hostArch, Set<String> hostFeatures) {
    return !reduceRange && HostCpu.saturatesFullRangeInt8(hostArch, hostFeatures);
  }

  /** The report's line when {@link #saturatesOnHost} made the gate use exact kernels. */
  public static final String EXACT_GATE_NOTE =
      "the accuracy gate ran on ONNX Runtime's exact int8 kernels (session.x64quantprecision):"
          + " this host is x86_64 without VNNI, whose default VPMADDUBSW kernels saturate on the"
          + " full-range weights this target gets and its device computes exactly. The int8"
          + " speed measured here is not the device's";

  /** The same scheme with another method, and the reason appended. */
  public Int8Scheme withMethod(Int8Method newMethod, String reason) {
    return new Int8Scheme(
        newMethod, activations, perChannelWeights, reduceRange, why + "; " + reason);
  }

  /**
   * This scheme with the method that suits {@code model}: dynamic when there is no calibration
   * data, or when the model has MatMul/Gemm layers with constant weights and no convolutions
   * (dynamic int8 only covers MatMul/Gemm, and its per-inference activation quantization costs
   * little next to them); static QDQ otherwise, which also covers Conv, pooling and Add.
   */
  public Int8Scheme forModel(ModelProto model, boolean haveCalibration) {
    if (!haveCalibration) {
      return withMethod(Int8Method.DYNAMIC, "dynamic: no calibration data for static ranges");
    }
    long convs = 0;
    long matmuls = 0;
    for (NodeProto node : model.getGraph().getNodeList()) {
      switch (node.getOpType()) {
        case "Conv", "ConvTranspose" -> convs++;
        case "MatMul", "Gemm" -> matmuls++;
        default -> {}
      }
    }
    if (convs == 0 && matmuls > 0) {
      return withMethod(
          Int8Method.DYNAMIC, "dynamic: " + matmuls + " MatMul/Gemm layers and no convolutions");
    }
    return withMethod(
        Int8Method.STATIC_QDQ, "static QDQ: " + convs + " convolutions need calibrated ranges");
  }
}
