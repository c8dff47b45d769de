package dev.kiln.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ArchTest {

  @Test
  void parse_acceptsCanonicalNamesAndOsAliases() {
    assertThat(Arch.parse("arm64")).isEqualTo(Arch.ARM64);
    assertThat(Arch.parse("aarch64")).isEqualTo(Arch.ARM64);
    assertThat(Arch.parse(" ARM64 ")).isEqualTo(Arch.ARM64);
    assertThat(Arch.parse("x86_64")).isEqualTo(Arch.X86_64);
    assertThat(Arch.parse("amd64")).isEqualTo(Arch.X86_64);
  }

  @Test
  void parse_fails_listingValidValues() {
    assertThatThrownBy(() -> Arch.parse("riscv64"))
        .isInstanceOfSatisfying(
            ProfileException.class,
            e -> assertThat(e.code()).isEqualTo(ProfileErrorCode.UNKNOWN_ARCH))
        .hasMessage(
            "unknown arch 'riscv64'; valid values: arm64, x86_64 (aliases: aarch64, amd64)");
  }

  @Test
  void fromOsArch_mapsJvmNames() {
    assertThat(Arch.fromOsArch("amd64")).isEqualTo(Arch.X86_64);
    assertThat(Arch.fromOsArch("x86_64")).isEqualTo(Arch.X86_64);
    assertThat(Arch.fromOsArch("aarch64")).isEqualTo(Arch.ARM64);
    assertThat(Arch.fromOsArch("arm64")).isEqualTo(Arch.ARM64);
    assertThatThrownBy(() -> Arch.fromOsArch("ppc64le"))
        .hasMessageContaining("unsupported host architecture 'ppc64le'");
  }

  @Test
  void host_followsOsArch() {
    assertThat(Arch.host()).isEqualTo(Arch.fromOsArch(System.getProperty("os.arch")));
  }

  @Test
  void jsonName_isTheNameProfilesAndManifestsUse() {
    assertThat(Arch.ARM64.jsonName()).isEqualTo("arm64");
    assertThat(Arch.X86_64).hasToString("x86_64");
  }

  @Test
  void isValidIsa_acceptsOnlyLevelsOfItsOwnArch() {
    assertThat(Arch.ARM64.isValidIsa("armv8.2-a")).isTrue();
    assertThat(Arch.ARM64.isValidIsa("armv9-a")).isTrue();
    assertThat(Arch.ARM64.isValidIsa("x86-64-v3")).isFalse();
    assertThat(Arch.X86_64.isValidIsa("x86-64")).isTrue();
    assertThat(Arch.X86_64.isValidIsa("x86-64-v4")).isTrue();
    assertThat(Arch.X86_64.isValidIsa("x86-64-v5")).isFalse();
  }

  @Test
  void target_knowsItsGenericProfiles() {
    assertThat(Target.isGenericProfile("linux-arm64")).isTrue();
    assertThat(Target.isGenericProfile("nvidia-gpu")).isTrue();
    assertThat(Target.isGenericProfile("rpi4")).isFalse();
    assertThat(Target.cpuTarget(Arch.X86_64)).isEqualTo(Target.X86_64);
  }
}
