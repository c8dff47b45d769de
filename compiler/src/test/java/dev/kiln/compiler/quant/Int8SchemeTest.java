package dev.kiln.compiler.quant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.profile.Arch;
import dev.kiln.profile.DeviceProfiles;
import java.util.Set;
import org.junit.jupiter.api.Test;

class Int8SchemeTest {
  private static final DeviceProfiles PROFILES = DeviceProfiles.fromClasspath();

  @Test
  void vnniProfile_getsU8S8WithFullRangeWeights() {
    Int8Scheme s = Int8Scheme.forTarget(PROFILES.get("x86-64-v4"));

    assertThat(s.activations()).isEqualTo(ActivationType.UINT8);
    assertThat(s.reduceRange()).isFalse();
    assertThat(s.perChannelWeights()).isTrue();
    assertThat(s.why()).contains("VNNI").contains("x86-64-v4");
  }

  @Test
  void avx2WithoutVnni_getsU8S8WithSevenBitWeights() {
    Int8Scheme s = Int8Scheme.forTarget(PROFILES.get("x86-64-v3"));

    assertThat(s.activations()).isEqualTo(ActivationType.UINT8);
    assertThat(s.reduceRange()).isTrue();
    assertThat(s.why()).contains("avx2 but no VNNI");
  }

  @Test
  void genericX86Profile_getsSevenBitWeights_forItRunsOnDevicesWithoutVnni() {
    Int8Scheme s = Int8Scheme.forTarget(PROFILES.get("linux-x86_64"));

    assertThat(s.reduceRange()).isTrue();
    assertThat(s.why())
        .contains("generic profile linux-x86_64")
        .contains("compile for a device profile that lists VNNI");
    // Whatever host compiles it: an AVX2 device computes its weights as the gate did.
    assertThat(s.saturatesOnHost(Arch.X86_64, Set.of("avx2"))).isFalse();
  }

  @Test
  void arm64_withAndWithoutDotprod_keepsFullRangeWeights() {
    Int8Scheme rpi5 = Int8Scheme.forTarget(PROFILES.get("rpi5"));
    Int8Scheme rpi4 = Int8Scheme.forTarget(PROFILES.get("rpi4"));

    assertThat(rpi5.reduceRange()).isFalse();
    assertThat(rpi4.reduceRange()).isFalse();
    assertThat(rpi5.why()).contains("have dotprod");
    assertThat(rpi4.why()).contains("lack dotprod");
  }

  @Test
  void fullRangeWeights_saturateOnAnX86HostWithoutVnni_only() {
    Int8Scheme vnni = Int8Scheme.forTarget(PROFILES.get("x86-64-v4"));
    Int8Scheme rpi5 = Int8Scheme.forTarget(PROFILES.get("rpi5"));
    Int8Scheme sevenBit = Int8Scheme.forTarget(PROFILES.get("x86-64-v3"));
    Set<String> avx2Host = Set.of("avx2", "fma");
    Set<String> vnniHost = Set.of("avx2", "avx512vnni");

    assertThat(vnni.saturatesOnHost(Arch.X86_64, avx2Host)).isTrue();
    assertThat(rpi5.saturatesOnHost(Arch.X86_64, avx2Host)).isTrue();
    assertThat(vnni.saturatesOnHost(Arch.X86_64, vnniHost)).isFalse();
    assertThat(rpi5.saturatesOnHost(Arch.ARM64, Set.of("asimd"))).isFalse();
    assertThat(sevenBit.saturatesOnHost(Arch.X86_64, avx2Host)).isFalse();
  }

  @Test
  void forModel_choosesDynamicForMatMulOnlyModels_andStaticForConvolutions() {
    Int8Scheme base = Int8Scheme.forTarget(PROFILES.get("x86-64-v4"));
    ModelProto mlp = QuantFixtures.passed("mlp/mlp.onnx");
    ModelProto cnn = QuantFixtures.passed("cnn/cnn.onnx");

    assertThat(base.forModel(mlp, true).method()).isEqualTo(Int8Method.DYNAMIC);
    assertThat(base.forModel(cnn, true).method()).isEqualTo(Int8Method.STATIC_QDQ);
    assertThat(base.forModel(cnn, false).method()).isEqualTo(Int8Method.DYNAMIC);
    assertThat(base.forModel(cnn, false).why()).contains("no calibration data");
  }
}
