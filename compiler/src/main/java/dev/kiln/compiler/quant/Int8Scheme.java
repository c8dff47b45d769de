package dev.kiln.compiler.quant;

import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.NodeProto;
import dev.kiln.profile.Arch;
import dev.kiln.profile.DeviceProfile;
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
   * Chosen from the device profile's {@code cpu.features} and arch. A generic profile (its feature
   * list is a minimal floor) compiled on a host of the same arch uses the host's features instead,
   * since the artifact is meant for machines like this one.
   */
  public static Int8Scheme forTarget(DeviceProfile profile, Set<String> hostFeatures) {
    Set<String> features = new HashSet<>(profile.cpu().features());
    String source = "profile " + profile.name();
    if (profile.generic() && profile.arch() == Arch.host()) {
      features.addAll(hostFeatures);
      source = "generic profile " + profile.name() + " on a " + profile.arch() + " host: host";
    }
    return profile.arch() == Arch.ARM64 ? forArm64(features, source) : forX86(features, source);
  }

  private static Int8Scheme forX86(Set<String> features, String source) {
    if (hasAny(features, "avx512vnni", "avx512_vnni", "avxvnni", "avx_vnni")) {
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
    return new Int8Scheme(Int8Method.STATIC_QDQ, ActivationType.UINT8, true, true, why);
  }

  private static Int8Scheme forArm64(Set<String> features, String source) {
    boolean dot = hasAny(features, "dotprod", "asimddp");
    return new Int8Scheme(
        Int8Method.STATIC_QDQ,
        ActivationType.INT8,
        true,
        false,
        "S8S8: arm64 ("
            + source
            + (dot ? " features have dotprod" : " features lack dotprod")
            + "); not measured on arm64 hardware");
  }

  private static boolean hasAny(Set<String> features, String... names) {
    for (String name : names) {
      if (features.contains(name)) {
        return true;
      }
    }
    return false;
  }

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
