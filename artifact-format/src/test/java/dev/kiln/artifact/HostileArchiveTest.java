package dev.kiln.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Archives built the way an attacker would, each signed with a trusted test key so that only the
 * archive's shape is wrong. Every one must be refused with a code that names the problem, and the
 * bytes written before the refusal must stay within what the archive declared.
 */
class HostileArchiveTest {
  private static final byte[] PAYLOAD = SignedStaging.PAYLOAD;
  private static final long GIB = 1L << 30;

  @TempDir Path tmp;

  private final KeyPair key = Ed25519Keys.generate();
  private SignedStaging artifacts;

  @org.junit.jupiter.api.BeforeEach
  void newArtifacts() {
    artifacts = new SignedStaging(tmp, key);
  }

  @Test
  void wellFormedRawArchive_unpacksAndVerifies() throws IOException {
    Path archive = new RawZip().files(artifacts.stage(m -> m)).write(tmp.resolve("ok.kiln"));

    Artifact artifact = Artifact.unpack(archive, tmp.resolve("out"));

    assertThat(artifact.verify(trusted(), true)).isEqualTo(Ed25519Keys.keyId(key.getPublic()));
  }

  @Test
  void zipBomb_ofHugeDeclaredEntries_isRefusedBeforeAnythingIsWritten() throws IOException {
    Path staging = artifacts.stage(m -> m);
    byte[] zeros = new byte[1 << 20];
    RawZip zip = new RawZip();
    for (String name : ArtifactFiles.list(staging)) {
      if (!name.equals(ArtifactFormat.SAMPLE)) {
        zip.file(name, Files.readAllBytes(staging.resolve(name)));
      }
    }
    // What the hostile test used: entries that claim 3 GiB each and compress to almost nothing.
    zip.lying(ArtifactFormat.SAMPLE, zeros, 3 * GIB);
    Path archive = zip.write(tmp.resolve("bomb.kiln"));

    assertRefused(archive, ArtifactErrorCode.TOO_LARGE).hasMessageContaining("its manifest allows");
    assertThat(Files.size(archive)).isLessThan(64 << 10);
    assertThat(bytesUnder(tmp.resolve("out"))).isZero();
  }

  @Test
  void payloadDeclaredLargerThanTheManifestSays_isRefusedBeforeWriting() throws IOException {
    Path archive =
        replacing(
            artifacts.stage(m -> m), "model.onnx", z -> z.lying("model.onnx", PAYLOAD, 3 * GIB));

    assertRefused(archive, ArtifactErrorCode.TOO_LARGE)
        .hasMessageContaining("model.onnx is " + 3 * GIB + " bytes in the archive");
    assertThat(bytesUnder(tmp.resolve("out"))).isZero();
  }

  @Test
  void entryInflatingPastItsDeclaredSize_stopsAtTheDeclaredSize() throws IOException {
    Path staging = artifacts.stage(m -> m);
    byte[] sample = Files.readAllBytes(staging.resolve(ArtifactFormat.SAMPLE));
    byte[] inflated = new byte[32 << 20];
    Path archive =
        replacing(
            staging,
            ArtifactFormat.SAMPLE,
            z -> z.lying(ArtifactFormat.SAMPLE, inflated, sample.length));

    assertRefused(archive, ArtifactErrorCode.TOO_LARGE)
        .hasMessageContaining("inflates past the " + sample.length + " bytes");
    assertThat(bytesUnder(tmp.resolve("out"))).isLessThanOrEqualTo(declaredTotal(staging));
    assertThat(Files.size(tmp.resolve("out").resolve(ArtifactFormat.SAMPLE)))
        .isLessThanOrEqualTo(sample.length);
  }

  @Test
  void payloadInflatingPastTheManifestSize_stopsAtTheDeclaredSize() throws IOException {
    byte[] inflated = new byte[32 << 20];
    Path archive =
        replacing(
            artifacts.stage(m -> m),
            "model.onnx",
            z -> z.lying("model.onnx", inflated, PAYLOAD.length));

    assertRefused(archive, ArtifactErrorCode.TOO_LARGE).hasMessageContaining("model.onnx");
    assertThat(Files.size(tmp.resolve("out/model.onnx"))).isLessThanOrEqualTo(PAYLOAD.length);
  }

  @Test
  void unlistedEntry_isRefusedBeforeAnythingIsWritten() throws IOException {
    Path archive =
        new RawZip()
            .files(artifacts.stage(m -> m))
            .file("extra.bin", new byte[1000])
            .write(tmp.resolve("x.kiln"));

    assertRefused(archive, ArtifactErrorCode.CHECKSUM_MISMATCH)
        .hasMessageContaining("'extra.bin', which SHA256SUMS does not list");
    assertThat(bytesUnder(tmp.resolve("out"))).isZero();
  }

  @Test
  void listedButTamperedEntry_isRefusedWhileExtracting() throws IOException {
    byte[] longer = "a longer payload than the manifest declares".getBytes(StandardCharsets.UTF_8);
    Path archive =
        replacing(artifacts.stage(m -> m), "model.onnx", z -> z.file("model.onnx", longer));
    assertRefused(archive, ArtifactErrorCode.TOO_LARGE);
    assertThat(bytesUnder(tmp.resolve("out"))).isZero();

    Path same =
        replacing(
            artifacts.stage(m -> m),
            "model.onnx",
            z ->
                z.file(
                    "model.onnx", "NOT really onnx, but bytes".getBytes(StandardCharsets.UTF_8)));
    assertRefused(same, ArtifactErrorCode.CHECKSUM_MISMATCH).hasMessageContaining("model.onnx");
  }

  @Test
  void duplicateEntries_areRefused_alsoWhenTheyDifferOnlyInCase() throws IOException {
    Path twice =
        new RawZip()
            .files(artifacts.stage(m -> m))
            .file("model.onnx", PAYLOAD)
            .write(tmp.resolve("twice.kiln"));
    assertRefused(twice, ArtifactErrorCode.UNSAFE_ENTRY).hasMessageContaining("duplicates");

    Path cased =
        new RawZip()
            .files(artifacts.stage(m -> m))
            .file("MODEL.onnx", PAYLOAD)
            .write(tmp.resolve("cased.kiln"));
    assertRefused(cased, ArtifactErrorCode.UNSAFE_ENTRY).hasMessageContaining("ignoring case");
    assertThat(bytesUnder(tmp.resolve("out"))).isZero();
  }

  @Test
  void backslashNames_areRefused() throws IOException {
    Path archive =
        new RawZip()
            .files(artifacts.stage(m -> m))
            .file("..\\..\\evil.sh", new byte[] {1})
            .write(tmp.resolve("bs.kiln"));

    assertRefused(archive, ArtifactErrorCode.UNSAFE_ENTRY).hasMessageContaining("backslash");
  }

  @Test
  void symlinks_andSymlinkedDirectories_andSpecialFiles_areRefused() throws IOException {
    Path staging = artifacts.stage(m -> m);
    Path link =
        new RawZip()
            .files(staging)
            .entry("passwd", "/etc/passwd".getBytes(StandardCharsets.UTF_8), 11, 0120777)
            .write(tmp.resolve("link.kiln"));
    assertRefused(link, ArtifactErrorCode.UNSAFE_ENTRY).hasMessageContaining("symbolic link");

    Path linkedDir =
        new RawZip()
            .entry("d", "/tmp".getBytes(StandardCharsets.UTF_8), 4, 0120777)
            .file("d/x", new byte[] {1})
            .files(staging)
            .write(tmp.resolve("dir.kiln"));
    assertRefused(linkedDir, ArtifactErrorCode.UNSAFE_ENTRY).hasMessageContaining("symbolic link");

    Path fifo =
        new RawZip().files(staging).entry("pipe", new byte[0], 0, 010644).write(tmp.resolve("f"));
    assertRefused(fifo, ArtifactErrorCode.UNSAFE_ENTRY).hasMessageContaining("special file");
    assertThat(bytesUnder(tmp.resolve("out"))).isZero();
  }

  @Test
  void aFileThatAnotherEntryNeedsAsADirectory_isRefused() throws IOException {
    Path archive =
        new RawZip()
            .files(artifacts.stage(m -> m))
            .file("model.onnx/x", new byte[] {1})
            .write(tmp.resolve("under.kiln"));

    assertRefused(archive, ArtifactErrorCode.UNSAFE_ENTRY).hasMessageContaining("which is a file");
  }

  @Test
  void overlongNames_absoluteNames_andDotDot_areRefused() throws IOException {
    Path staging = artifacts.stage(m -> m);
    Path longName =
        new RawZip().files(staging).file("a".repeat(4000), new byte[] {1}).write(tmp.resolve("l"));
    assertRefused(longName, ArtifactErrorCode.UNSAFE_ENTRY).hasMessageContaining("4000 bytes long");

    Path absolute =
        new RawZip().files(staging).file("/tmp/evil", new byte[] {1}).write(tmp.resolve("a"));
    assertRefused(absolute, ArtifactErrorCode.UNSAFE_ENTRY).hasMessageContaining("absolute");

    Path dotDot =
        new RawZip().files(staging).file("x/../../evil", new byte[] {1}).write(tmp.resolve("d"));
    assertRefused(dotDot, ArtifactErrorCode.UNSAFE_ENTRY).hasMessageContaining("'..'");
    assertThat(bytesUnder(tmp.resolve("out"))).isZero();
    assertThat(tmp.resolve("evil")).doesNotExist();
  }

  @Test
  void signedManifestNamingFilesOutsideTheArtifact_isRefused() throws IOException {
    for (String outside : List.of("../../../etc/passwd", "/etc/passwd", "a/./b", "..\\x")) {
      Path payloadOut = artifacts.stage(m -> SignedStaging.withPayloadFile(m, outside));
      Path archive = new RawZip().files(payloadOut).write(tmp.resolve("p.kiln"));
      assertRefused(archive, ArtifactErrorCode.INVALID_MANIFEST)
          .hasMessageContaining("payload.file")
          .hasMessageContaining("leaves the artifact");
      assertThatThrownBy(() -> Artifact.open(payloadOut))
          .isInstanceOfSatisfying(
              ArtifactException.class,
              e -> assertThat(e.code()).isEqualTo(ArtifactErrorCode.INVALID_MANIFEST));

      Path sampleOut = artifacts.stage(m -> SignedStaging.withSampleFile(m, outside));
      Path sampleArchive = new RawZip().files(sampleOut).write(tmp.resolve("s.kiln"));
      assertRefused(sampleArchive, ArtifactErrorCode.INVALID_MANIFEST)
          .hasMessageContaining("verification.sampleFile");
      assertThat(bytesUnder(tmp.resolve("out"))).isZero();
    }
  }

  private AbstractThrowableAssert<?, ? extends Throwable> assertRefused(
      Path archive, ArtifactErrorCode code) {
    return assertThatThrownBy(() -> Artifact.unpack(archive, tmp.resolve("out")))
        .isInstanceOfSatisfying(ArtifactException.class, e -> assertThat(e.code()).isEqualTo(code));
  }

  private Path replacing(Path staging, String name, UnaryOperator<RawZip> add) throws IOException {
    RawZip zip = new RawZip();
    for (String file : ArtifactFiles.list(staging)) {
      if (file.equals(name)) {
        add.apply(zip);
      } else {
        zip.file(file, Files.readAllBytes(staging.resolve(file)));
      }
    }
    return zip.write(tmp.resolve("replaced-" + System.nanoTime() + ".kiln"));
  }

  private static long declaredTotal(Path staging) throws IOException {
    long total = 0;
    for (String name : ArtifactFiles.list(staging)) {
      total += Files.size(staging.resolve(name));
    }
    return total;
  }

  static long bytesUnder(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      long total = 0;
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        total += Files.size(file);
      }
      return total;
    }
  }

  private Map<String, PublicKey> trusted() {
    return Map.of(Ed25519Keys.keyId(key.getPublic()), key.getPublic());
  }
}
