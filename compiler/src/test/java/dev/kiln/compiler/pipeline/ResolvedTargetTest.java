package dev.kiln.compiler.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.compiler.ort.OrtOfflineOptimizer.OptimizerLevel;
import dev.kiln.profile.Arch;
import dev.kiln.profile.DeviceProfile;
import dev.kiln.profile.DeviceProfiles;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which payload format each target ships, as seen from an x86_64 host with AVX2. */
class ResolvedTargetTest {
  private static final DeviceProfiles PROFILES = DeviceProfiles.fromClasspath();
  private static final Set<String> AVX2_HOST = Set.of("sse2", "sse4_2", "avx", "avx2", "fma");

  private static ResolvedTarget resolve(String profile) {
    return ResolvedTarget.of(PROFILES.get(profile), Arch.X86_64, AVX2_HOST);
  }

  @Test
  void aHostIsaCpuTargetOptimizedAtAllShipsOrtFormat_andSaysWhy() {
    ResolvedTarget x86 = resolve("linux-x86_64");

    assertThat(x86.optimizerLevel()).isEqualTo(OptimizerLevel.ALL);
    assertThat(x86.ortFormat()).isTrue();
    assertThat(x86.levelReason())
        .contains("ORT format, memory-mapped: load no longer proportional to weight bytes");
    assertThat(x86.formatNote()).isNull();
  }

  @Test
  void crossIsaTargetsKeepOnnx_andAProfileThatAskedForOrtIsToldWhy() {
    ResolvedTarget arm64 = resolve("linux-arm64");
    ResolvedTarget rpi4 = resolve("rpi4");

    assertThat(arm64.optimizerLevel()).isEqualTo(OptimizerLevel.EXTENDED);
    assertThat(arm64.ortFormat()).isFalse();
    assertThat(rpi4.ortFormat()).isFalse();
    assertThat(rpi4.formatNote())
        .contains("rpi4 prefers ORT format")
        .contains("differs from host")
        .contains("shipping ONNX");
  }

  @Test
  void aHostWithoutTheProfilesCpuFeaturesKeepsOnnx() {
    ResolvedTarget v4 = resolve("x86-64-v4");

    assertThat(v4.optimizerLevel()).isEqualTo(OptimizerLevel.EXTENDED);
    assertThat(v4.ortFormat()).isFalse();
  }

  @Test
  void nvidiaTargetsKeepOnnx() {
    ResolvedTarget gpu = resolve("nvidia-gpu");

    assertThat(gpu.ortFormat()).isFalse();
    assertThat(gpu.formatNote()).isNull();
  }

  @Test
  void aProfileThatSetsOrtFormatFalseKeepsOnnxOnItsOwnIsa() {
    DeviceProfile p = PROFILES.get("linux-x86_64");
    DeviceProfile.RuntimeSettings r = p.runtime();
    DeviceProfile oldAgents =
        new DeviceProfile(
            "old-agents",
            p.description(),
            p.arch(),
            p.generic(),
            p.cpu(),
            p.memoryMb(),
            p.accelerator(),
            new DeviceProfile.RuntimeSettings(
                r.preferredEngine(), r.executionProviders(), r.threads(), r.precision(), false));

    ResolvedTarget target = ResolvedTarget.of(oldAgents, Arch.X86_64, AVX2_HOST);

    assertThat(target.optimizerLevel()).isEqualTo(OptimizerLevel.ALL);
    assertThat(target.ortFormat()).isFalse();
  }

  @Test
  void keepsTheHostItWasResolvedAgainst_forTheStagesAfterIt() {
    for (String profile : new String[] {"linux-x86_64", "linux-arm64"}) {
      ResolvedTarget target = resolve(profile);
      assertThat(target.hostArch()).isEqualTo(Arch.X86_64);
      assertThat(target.hostFeatures()).isEqualTo(AVX2_HOST);
    }
  }
}
