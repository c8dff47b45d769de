package dev.kiln.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShippedProfilesTest {
  private final DeviceProfiles profiles = ProfileFixtures.shipped();

  @Test
  void everyShippedProfile_loadsAndValidates() {
    assertThat(profiles.names())
        .containsExactly(
            "graviton3",
            "jetson-orin-nano",
            "linux-arm64",
            "linux-x86_64",
            "nvidia-gpu",
            "rpi4",
            "rpi5",
            "x86-64-v3",
            "x86-64-v4");
  }

  @Test
  void onlyTheTargetProfiles_areGeneric() {
    List<String> generic =
        profiles.all().stream().filter(DeviceProfile::generic).map(DeviceProfile::name).toList();

    assertThat(generic).containsExactly("linux-arm64", "linux-x86_64", "nvidia-gpu");
    for (Target target : Target.values()) {
      DeviceProfile profile = profiles.forTarget(target.targetName());
      assertThat(profile.generic()).as(target.targetName()).isTrue();
      assertThat(profile.arch()).as(target.targetName()).isEqualTo(target.arch());
    }
  }

  @Test
  void raspberryPis_differInDotProduct() {
    DeviceProfile rpi4 = profiles.get("rpi4");
    DeviceProfile rpi5 = profiles.get("rpi5");

    assertThat(rpi4.arch()).isEqualTo(Arch.ARM64);
    assertThat(rpi4.cpu().model()).isEqualTo("Cortex-A72");
    assertThat(rpi4.cpu().cores()).isEqualTo(4);
    assertThat(rpi4.cpu().features()).contains("neon").doesNotContain("dotprod", "fp16");
    assertThat(rpi5.cpu().model()).isEqualTo("Cortex-A76");
    assertThat(rpi5.cpu().features()).contains("neon", "dotprod", "fp16");
    assertThat(List.of(rpi4, rpi5))
        .allSatisfy(
            p -> {
              assertThat(p.accelerator()).isNull();
              assertThat(p.runtime().ortFormat()).isTrue();
              assertThat(p.runtime().executionProviders()).containsExactly("CPUExecutionProvider");
            });
  }

  @Test
  void jetsonOrinNano_describesJetPack6() {
    DeviceProfile jetson = profiles.get("jetson-orin-nano");

    assertThat(jetson.arch()).isEqualTo(Arch.ARM64);
    assertThat(jetson.cpu().model()).isEqualTo("Cortex-A78AE");
    assertThat(jetson.cpu().cores()).isEqualTo(6);
    assertThat(jetson.memoryMb()).isEqualTo(8192);
    assertThat(jetson.accelerator())
        .isEqualTo(
            new DeviceProfile.Accelerator(
                "nvidia", jetson.accelerator().name(), "8.7", "12.2", "8.6"));
    assertThat(jetson.hasTensorRt()).isTrue();
    assertThat(jetson.runtime().executionProviders())
        .containsExactly(
            "TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider");
    assertThat(jetson.runtime().precision()).isEqualTo(Precision.FP16);
    assertThat(jetson.runtime().ortFormat()).isFalse();
  }

  @Test
  void nvidiaGpu_usesCudaWithoutTensorRt() {
    DeviceProfile gpu = profiles.forTarget("nvidia");

    assertThat(gpu.name()).isEqualTo("nvidia-gpu");
    assertThat(gpu.arch()).isEqualTo(Arch.X86_64);
    assertThat(gpu.hasNvidiaAccelerator()).isTrue();
    assertThat(gpu.hasTensorRt()).isFalse();
    assertThat(gpu.runtime().executionProviders())
        .containsExactly("CUDAExecutionProvider", "CPUExecutionProvider");
  }

  @Test
  void x86Levels_separateAvx2FromAvx512() {
    DeviceProfile v3 = profiles.get("x86-64-v3");
    DeviceProfile v4 = profiles.get("x86-64-v4");

    assertThat(v3.cpu().isa()).isEqualTo("x86-64-v3");
    assertThat(v3.cpu().features()).contains("avx2", "fma").doesNotContain("avx512f");
    assertThat(v4.cpu().isa()).isEqualTo("x86-64-v4");
    assertThat(v4.cpu().features()).contains("avx2", "fma", "avx512f", "avx512vnni");
  }

  @Test
  void graviton3_isSizedAsC7g2xlarge() {
    DeviceProfile graviton = profiles.get("graviton3");

    assertThat(graviton.cpu().model()).isEqualTo("Neoverse-V1");
    assertThat(graviton.cpu().features()).contains("sve", "dotprod", "bf16");
    assertThat(graviton.cpu().cores()).isEqualTo(8);
    assertThat(graviton.memoryMb()).isEqualTo(16384);
    assertThat(graviton.description()).contains("c7g.2xlarge");
  }

  @Test
  void everyProfile_survivesWriteAndRead() {
    for (DeviceProfile profile : profiles.all()) {
      String json = ProfileJson.write(profile);

      assertThat(
              ProfileJson.parse(json.getBytes(StandardCharsets.UTF_8), "written " + profile.name()))
          .isEqualTo(profile);
    }
  }
}
