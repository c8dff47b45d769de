package dev.kiln.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CompatibilityTest {
  private static final List<String> CPU = List.of("CPUExecutionProvider");
  private static final List<String> CUDA = List.of("CUDAExecutionProvider", "CPUExecutionProvider");
  private static final List<String> TENSORRT =
      List.of("TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider");

  private final DeviceProfiles profiles = ProfileFixtures.shipped();

  @Test
  void accepts_artifactForTheDevicesOwnProfile() {
    CompatibilityResult result =
        Compatibility.check("arm64", "jetson-orin-nano", TENSORRT, device("jetson-orin-nano"));

    assertThat(result.ok()).isTrue();
    assertThat(result.reason()).contains("this device's profile jetson-orin-nano");
  }

  @Test
  void refuses_artifactForAnotherArch() {
    CompatibilityResult result =
        Compatibility.check("arm64", "linux-arm64", CPU, device("linux-x86_64"));

    assertThat(result)
        .isEqualTo(
            CompatibilityResult.refused(
                "artifact is for arm64 but this device is x86_64 (profile linux-x86_64)"));
  }

  @Test
  void refuses_nvidiaArtifact_onDeviceWithoutNvidiaGpu() {
    CompatibilityResult result =
        Compatibility.check("x86_64", "nvidia-gpu", CUDA, device("linux-x86_64"));

    assertThat(result.ok()).isFalse();
    assertThat(result.reason())
        .contains("needs CUDAExecutionProvider but this device has no NVIDIA accelerator")
        .contains("compiled for linux-x86_64");
  }

  @Test
  void refuses_jetsonArtifactOnRpi5_forTheMissingGpuBeforeTheProfile() {
    CompatibilityResult result =
        Compatibility.check("arm64", "jetson-orin-nano", TENSORRT, device("rpi5"));

    assertThat(result.ok()).isFalse();
    assertThat(result.reason()).contains("needs TensorrtExecutionProvider").contains("no NVIDIA");
  }

  @Test
  void refuses_tensorRtArtifact_onGpuWithoutTensorRt() {
    CompatibilityResult result =
        Compatibility.check("x86_64", "nvidia-gpu", TENSORRT, device("nvidia-gpu"));

    assertThat(result.ok()).isFalse();
    assertThat(result.reason()).contains("GPU has no TensorRT");
  }

  @Test
  void genericProfilesOfOneArch_acceptEachOthersCpuArtifacts() {
    assertThat(Compatibility.check("x86_64", "nvidia-gpu", CPU, device("linux-x86_64")).ok())
        .isTrue();
    assertThat(Compatibility.check("x86_64", "linux-x86_64", CPU, device("nvidia-gpu")).ok())
        .isTrue();
  }

  @Test
  void accepts_genericArtifact_onConcreteDeviceOfSameArch() {
    CompatibilityResult result = Compatibility.check("aarch64", "linux-arm64", CPU, device("rpi4"));

    assertThat(result.ok()).isTrue();
    assertThat(result.reason()).contains("generic profile linux-arm64");
  }

  @Test
  void accepts_emptyProviderList_asCpuOnly() {
    assertThat(Compatibility.check("arm64", "linux-arm64", List.of(), device("graviton3")).ok())
        .isTrue();
  }

  @Test
  void refuses_artifactForAnotherConcreteDevice() {
    CompatibilityResult result = Compatibility.check("arm64", "rpi5", CPU, device("rpi4"));

    assertThat(result)
        .isEqualTo(
            CompatibilityResult.refused(
                "artifact was compiled for profile rpi5 but this device uses profile rpi4;"
                    + " compile for rpi4 or for the generic target arm64"));
  }

  @Test
  void refuses_concreteArtifact_onGenericDevice() {
    assertThat(Compatibility.check("x86_64", "x86-64-v4", CPU, device("linux-x86_64")).ok())
        .isFalse();
  }

  @Test
  void refuses_providerTheDeviceDoesNotList() {
    CompatibilityResult result =
        Compatibility.check(
            "arm64",
            "linux-arm64",
            List.of("XnnpackExecutionProvider", "CPUExecutionProvider"),
            device("rpi4"));

    assertThat(result.ok()).isFalse();
    assertThat(result.reason())
        .contains("XnnpackExecutionProvider, which profile rpi4 does not list");
  }

  @Test
  void refuses_unknownArchOrMissingProfile() {
    CompatibilityResult badArch =
        Compatibility.check("riscv64", "linux-arm64", CPU, device("rpi4"));
    CompatibilityResult noProfile = Compatibility.check("arm64", null, CPU, device("rpi4"));

    assertThat(badArch.ok()).isFalse();
    assertThat(badArch.reason()).contains("unknown arch 'riscv64'; valid values: arm64, x86_64");
    assertThat(noProfile.ok()).isFalse();
    assertThat(noProfile.reason()).contains("names no device profile");
  }

  private DeviceProfile device(String name) {
    return profiles.get(name);
  }
}
