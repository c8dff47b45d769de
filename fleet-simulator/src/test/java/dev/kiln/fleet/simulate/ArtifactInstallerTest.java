package dev.kiln.fleet.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.link.deploy.Precheck;
import dev.kiln.link.protocol.DeployPayload;
import dev.kiln.profile.DeviceProfiles;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactInstallerTest {
  private final KeyPair key = Ed25519Keys.generate();
  @TempDir Path dir;

  private ArtifactInstaller installer(String profile, KeyPair trusted) {
    return new ArtifactInstaller(
        DeviceProfiles.fromClasspath().get(profile),
        Map.of(Ed25519Keys.keyId(trusted.getPublic()), trusted.getPublic()));
  }

  private Path artifact(String profile, String arch) throws Exception {
    return StandInArtifacts.write(dir, "mlp", "2", profile, arch, 5000, key);
  }

  @Test
  void install_accepts_aSignedCompatibleArtifact() throws Exception {
    ArtifactInstaller.Outcome o =
        installer("linux-x86_64", key)
            .install(artifact("linux-x86_64", "x86_64"), dir.resolve("i"));
    assertThat(o.ok()).as(o.refusal()).isTrue();
    assertThat(o.artifact().manifest().model().version()).isEqualTo("2");
  }

  @Test
  void install_refuses_anArtifactForAnotherArch() throws Exception {
    ArtifactInstaller.Outcome o =
        installer("rpi5", key).install(artifact("linux-x86_64", "x86_64"), dir.resolve("i"));
    assertThat(o.refusal()).contains("x86_64").contains("arm64");
  }

  @Test
  void install_refuses_anArtifactSignedByAnUntrustedKey() throws Exception {
    ArtifactInstaller.Outcome o =
        installer("linux-x86_64", Ed25519Keys.generate())
            .install(artifact("linux-x86_64", "x86_64"), dir.resolve("i"));
    assertThat(o.refusal()).startsWith("artifact failed verification");
  }

  @Test
  void install_refuses_aTamperedPayload() throws Exception {
    Path kiln = artifact("linux-x86_64", "x86_64");
    try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + kiln.toUri()), Map.of());
        OutputStream out = Files.newOutputStream(zip.getPath("model.onnx"))) {
      out.write(new byte[] {1, 2, 3});
    }
    ArtifactInstaller.Outcome o = installer("linux-x86_64", key).install(kiln, dir.resolve("i"));
    assertThat(o.refusal()).contains("verification");
  }

  @Test
  void precheck_refuses_fromTheCommandAlone() {
    DeployPayload p =
        new DeployPayload(
            "d",
            "mlp",
            "2",
            "primary",
            new DeployPayload.Artifact("abc", 1, null, 1),
            new DeployPayload.Target("arm64", "rpi5", List.of()),
            List.of());
    assertThat(Precheck.of(p, DeviceProfiles.fromClasspath().get("linux-x86_64")).reason())
        .contains("arm64");
  }
}
