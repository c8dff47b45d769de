package dev.kiln.agent.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.TestArtifacts;
import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.profile.DeviceProfiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactStoreTest {
  @TempDir Path dir;
  private final KeyPair key = Ed25519Keys.generate();
  private ArtifactStore store;

  @BeforeEach
  void open() throws Exception {
    store =
        new ArtifactStore(
            dir.resolve("state"),
            Map.of(Ed25519Keys.keyId(key.getPublic()), key.getPublic()),
            true,
            DeviceProfiles.fromClasspath().get("linux-x86_64"));
  }

  private Path artifact(TestArtifacts.Spec spec) throws Exception {
    return TestArtifacts.build(spec, key, dir.resolve("out"));
  }

  private static void assertCode(
      AgentErrorCode code, org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.code()).isEqualTo(code));
  }

  @Test
  void install_unpacksVerifiedArtifact_underNameAndVersion() throws Exception {
    StoredVersion v = store.install(artifact(TestArtifacts.spec().version("4")));
    assertThat(v.artifact().dir()).isEqualTo(dir.resolve("state/artifacts/mlp/4"));
    assertThat(v.signedBy()).isEqualTo(Ed25519Keys.keyId(key.getPublic()));
    assertThat(store.isInstalled("mlp", "4")).isTrue();
    try (var left = Files.list(dir.resolve("state/artifacts/.incoming"))) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void install_refusesUnsignedAndUntrustedArtifacts_beforeAnythingIsStored() throws Exception {
    assertCode(
        AgentErrorCode.ARTIFACT_REJECTED,
        () -> store.install(artifact(TestArtifacts.spec().unsigned())));
    Path other =
        TestArtifacts.build(
            TestArtifacts.spec().version("2"), Ed25519Keys.generate(), dir.resolve("other"));
    assertCode(AgentErrorCode.ARTIFACT_REJECTED, () -> store.install(other));
    assertThat(store.isInstalled("mlp", "1")).isFalse();
    assertThat(store.isInstalled("mlp", "2")).isFalse();
  }

  @Test
  void install_refusesHostileArchives_asRejected_andLeavesNothingBehind() throws Exception {
    Path valid = artifact(TestArtifacts.spec());
    Map<String, String> problems = TestArtifacts.HOSTILE_ENTRIES;
    int i = 0;
    for (var problem : problems.entrySet()) {
      Path hostile =
          TestArtifacts.withExtraEntry(
              valid,
              problem.getKey(),
              new byte[TestArtifacts.HOSTILE_ENTRY_BYTES],
              dir.resolve("hostile-" + i++ + ".kiln"));
      assertThatThrownBy(() -> store.install(hostile))
          .isInstanceOfSatisfying(
              AgentException.class,
              e -> assertThat(e.code()).isEqualTo(AgentErrorCode.ARTIFACT_REJECTED))
          .hasMessageContaining(problem.getValue());
    }
    assertThatThrownBy(
            () -> store.install(artifact(TestArtifacts.spec().payloadFile("../../../etc/passwd"))))
        .isInstanceOfSatisfying(
            AgentException.class,
            e -> assertThat(e.code()).isEqualTo(AgentErrorCode.ARTIFACT_REJECTED))
        .hasMessageContaining("INVALID_MANIFEST")
        .hasMessageContaining("payload.file");
    assertThat(store.isInstalled("mlp", "1")).isFalse();
    try (var left = Files.list(dir.resolve("state/artifacts/.incoming"))) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void install_refusesWrongArch_withCompatibilityReason() throws Exception {
    assertThatThrownBy(
            () -> store.install(artifact(TestArtifacts.spec().target("linux-arm64", "arm64"))))
        .isInstanceOfSatisfying(
            AgentException.class,
            e -> assertThat(e.code()).isEqualTo(AgentErrorCode.INCOMPATIBLE_ARTIFACT))
        .hasMessageContaining("arm64")
        .hasMessageContaining("x86_64");
  }

  @Test
  void install_refusesSameVersionWithDifferentPayload() throws Exception {
    store.install(artifact(TestArtifacts.spec()));
    store.install(artifact(TestArtifacts.spec())); // identical: a no-op
    Path changed = artifact(TestArtifacts.spec().payload(new byte[] {1, 2, 3}));
    assertCode(AgentErrorCode.VERSION_CONFLICT, () -> store.install(changed));
  }

  @Test
  void open_reverifies_andRefusesTamperedPayloadAtRest() throws Exception {
    store.install(artifact(TestArtifacts.spec()));
    Files.write(dir.resolve("state/artifacts/mlp/1/model.onnx"), new byte[] {0});
    assertCode(AgentErrorCode.ARTIFACT_REJECTED, () -> store.open("mlp", "1"));
  }

  @Test
  void save_isAtomic_aTornTempFileNeverReplacesTheState() throws Exception {
    InstalledModel s1 =
        InstalledModel.empty("mlp")
            .withVersion("1", VersionState.INSTALLED, null)
            .withVersion("1", VersionState.LOADING, null)
            .withVersion("1", VersionState.HEALTHY, null)
            .withTraffic(List.of(new InstalledModel.Variant("1", 1)), null);
    store.save(s1);
    // What a crash in the middle of the next save leaves behind: a partial temp file.
    Files.writeString(
        dir.resolve("state/models/mlp/.state.json123.tmp"), "{\"name\": \"mlp\", \"produ");
    assertThat(store.state("mlp")).isEqualTo(s1);
    assertThat(store.state("mlp").activeVersions()).containsExactly("1");
  }

  @Test
  void recover_putsInterruptedActivationBackToInstalled_andKeepsActiveVersion() throws Exception {
    InstalledModel serving =
        InstalledModel.empty("mlp")
            .withVersion("1", VersionState.HEALTHY, null)
            .withTraffic(List.of(new InstalledModel.Variant("1", 1)), null);
    store.save(
        serving
            .withVersion("2", VersionState.INSTALLED, null)
            .withVersion("2", VersionState.LOADING, null));
    store.recover();
    InstalledModel after = store.state("mlp");
    assertThat(after.stateOf("2")).isEqualTo(VersionState.INSTALLED);
    assertThat(after.versions().get("2").detail()).contains("interrupted");
    assertThat(after.activeVersions()).containsExactly("1");
    assertThat(after.stateOf("1")).isEqualTo(VersionState.ACTIVE);
  }

  @Test
  void withTraffic_retiresReplacedVersions_andActivatesNewOnes() {
    InstalledModel s =
        InstalledModel.empty("m")
            .withVersion("1", VersionState.HEALTHY, null)
            .withTraffic(List.of(new InstalledModel.Variant("1", 1)), null)
            .withVersion("2", VersionState.HEALTHY, null)
            .withTraffic(List.of(new InstalledModel.Variant("2", 1)), null);
    assertThat(s.stateOf("1")).isEqualTo(VersionState.RETIRED);
    assertThat(s.stateOf("2")).isEqualTo(VersionState.ACTIVE);
  }

  @Test
  void withVersion_refusesTransitionsOutsideTheLifecycle() {
    InstalledModel s = InstalledModel.empty("m").withVersion("1", VersionState.INSTALLED, null);
    assertCode(
        AgentErrorCode.VERSION_CONFLICT, () -> s.withVersion("1", VersionState.ACTIVE, null));
    InstalledModel failed =
        s.withVersion("1", VersionState.LOADING, null).withVersion("1", VersionState.FAILED, "x");
    assertCode(
        AgentErrorCode.VERSION_CONFLICT, () -> failed.withVersion("1", VersionState.ACTIVE, null));
  }
}
