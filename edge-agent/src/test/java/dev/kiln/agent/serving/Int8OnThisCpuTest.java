package dev.kiln.agent.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.artifact.Manifest;
import dev.kiln.profile.Arch;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class Int8OnThisCpuTest {
  private static final Set<String> AVX2 = Set.of("avx2", "fma");
  private static final Set<String> VNNI = Set.of("avx2", "avx512_vnni");

  @Test
  void fullRangeInt8_onX86WithoutVnni_isExplained_withTheWayOut() {
    Manifest m = manifest("int8", "int8 per-channel", "linux-x86_64");

    assertThat(Int8OnThisCpu.saturationNote(m, Arch.X86_64, () -> AVX2))
        .hasValueSatisfying(
            note ->
                assertThat(note)
                    .contains("full 8-bit range")
                    .contains("without VNNI")
                    .contains("linux-x86_64")
                    .contains("--target x86_64"));
  }

  @Test
  void sevenBitWeights_vnni_arm64_fp16_andFp32_computeAsCompiled() {
    Manifest sevenBit = manifest("int8", "int8 per-channel, 7-bit range", "linux-x86_64");
    Manifest fullRange = manifest("int8", "int8 per-channel", "x86-64-v4");
    Manifest fp16 = manifest("fp16", "float16", "linux-x86_64");

    assertThat(Int8OnThisCpu.saturationNote(sevenBit, Arch.X86_64, () -> AVX2)).isEmpty();
    assertThat(Int8OnThisCpu.saturationNote(fullRange, Arch.X86_64, () -> VNNI)).isEmpty();
    assertThat(Int8OnThisCpu.saturationNote(fullRange, Arch.ARM64, () -> Set.of("asimd")))
        .isEmpty();
    assertThat(Int8OnThisCpu.saturationNote(fp16, Arch.X86_64, () -> AVX2)).isEmpty();
    assertThat(Int8OnThisCpu.saturationNote(withoutQuantization(), Arch.X86_64, () -> AVX2))
        .isEmpty();
  }

  private static Manifest manifest(String precision, String weights, String profile) {
    Manifest.Quantization q =
        new Manifest.Quantization(
            precision,
            precision + " scheme",
            "uint8",
            weights,
            "static-qdq",
            null,
            "test",
            null,
            4,
            "onnxruntime-cpu",
            null,
            List.of(),
            List.of());
    return new Manifest(
        1,
        null,
        null,
        new Manifest.TargetInfo(profile, "x86_64", null),
        null,
        null,
        null,
        List.of(),
        null,
        null,
        null,
        null,
        q);
  }

  private static Manifest withoutQuantization() {
    Manifest m = manifest("int8", "int8 per-channel", "linux-x86_64");
    return new Manifest(
        1, null, null, m.target(), null, null, null, List.of(), null, null, null, null, null);
  }
}
