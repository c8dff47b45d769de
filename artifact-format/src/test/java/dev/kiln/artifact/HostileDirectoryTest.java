package dev.kiln.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Artifact#copy} holds an artifact directory to the rules an archive is held to. */
class HostileDirectoryTest {
  @TempDir Path tmp;

  private final KeyPair key = Ed25519Keys.generate();
  private SignedStaging artifacts;

  @BeforeEach
  void newArtifacts() {
    artifacts = new SignedStaging(tmp, key);
  }

  @Test
  void signedDirectory_copiesAndVerifies() throws IOException {
    Artifact copy = Artifact.copy(artifacts.stage(m -> m), tmp.resolve("out"));

    assertThat(copy.verify(Map.of(Ed25519Keys.keyId(key.getPublic()), key.getPublic()), true))
        .isEqualTo(Ed25519Keys.keyId(key.getPublic()));
  }

  @Test
  void folderWithoutManifest_isRefusedBeforeAnyOtherFileIsRead() throws IOException {
    Path notAnArtifact = Files.createDirectories(tmp.resolve("home"));
    Files.write(notAnArtifact.resolve("big.bin"), new byte[1 << 20]);

    assertRefused(notAnArtifact, ArtifactErrorCode.MISSING_FILE)
        .hasMessageContaining("no manifest.json");
    assertThat(HostileArchiveTest.bytesUnder(tmp.resolve("out"))).isZero();
  }

  @Test
  void symlinks_areRefused_neverFollowed() throws IOException {
    Path dir = artifacts.stage(m -> m);
    Files.createSymbolicLink(dir.resolve("passwd"), Path.of("/etc/passwd"));

    assertRefused(dir, ArtifactErrorCode.UNSAFE_ENTRY).hasMessageContaining("symbolic link");
    assertThat(HostileArchiveTest.bytesUnder(tmp.resolve("out"))).isZero();
  }

  @Test
  void unlistedFiles_andBackslashNames_areRefusedBeforeCopying() throws IOException {
    Path extra = artifacts.stage(m -> m);
    Files.write(extra.resolve("extra.bin"), new byte[1 << 20]);
    assertRefused(extra, ArtifactErrorCode.CHECKSUM_MISMATCH)
        .hasMessageContaining("SHA256SUMS does not list");

    Path backslash = artifacts.stage(m -> m);
    Files.write(backslash.resolve("a\\b"), new byte[] {1});
    assertRefused(backslash, ArtifactErrorCode.UNSAFE_ENTRY).hasMessageContaining("backslash");
    assertThat(HostileArchiveTest.bytesUnder(tmp.resolve("out"))).isZero();
  }

  @Test
  void signedManifestNamingAFileOutsideTheArtifact_isRefused() throws IOException {
    Path dir = artifacts.stage(m -> SignedStaging.withSampleFile(m, "../../../etc/passwd"));

    assertRefused(dir, ArtifactErrorCode.INVALID_MANIFEST)
        .hasMessageContaining("verification.sampleFile");
  }

  private AbstractThrowableAssert<?, ? extends Throwable> assertRefused(
      Path dir, ArtifactErrorCode code) {
    return assertThatThrownBy(() -> Artifact.copy(dir, tmp.resolve("out")))
        .isInstanceOfSatisfying(ArtifactException.class, e -> assertThat(e.code()).isEqualTo(code));
  }
}
