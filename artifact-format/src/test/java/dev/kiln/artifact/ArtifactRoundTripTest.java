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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactRoundTripTest {
  @TempDir Path tmp;

  private final KeyPair key = Ed25519Keys.generate();

  @Test
  void archive_roundTrips_andVerifies_withTrustedKey() throws IOException {
    Path archive = build("a", key);

    Artifact artifact = Artifact.unpack(archive, tmp.resolve("unpacked"));

    assertThat(artifact.manifest().model().name()).isEqualTo("demo");
    assertThat(artifact.verify(trusted(key.getPublic()), true))
        .isEqualTo(Ed25519Keys.keyId(key.getPublic()));
    assertThat(artifact.sample().inputs().get("x").floats()).containsExactly(1f, 2f);
    assertThat(Files.readString(artifact.dir().resolve(ArtifactFormat.CHECKSUMS)))
        .contains("  manifest.json\n", "  model.onnx\n", "  sample.json\n");
  }

  @Test
  void sameInputs_giveByteIdenticalArchives() throws IOException {
    KeyPair fixed = key;
    Path first = build("one", fixed);
    Path second = build("two", fixed);

    assertThat(Files.readAllBytes(first)).isEqualTo(Files.readAllBytes(second));
  }

  @Test
  void tamperedPayload_isRefused_withChecksumMismatch() throws IOException {
    Artifact artifact = Artifact.unpack(build("t", key), tmp.resolve("u"));
    Files.write(artifact.payloadPath(), "evil".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> artifact.verify(trusted(key.getPublic()), true))
        .isInstanceOfSatisfying(
            ArtifactException.class,
            e -> assertThat(e.code()).isEqualTo(ArtifactErrorCode.CHECKSUM_MISMATCH))
        .hasMessageContaining("model.onnx");
  }

  @Test
  void rewrittenChecksums_stillFail_becauseTheSignedManifestPinsThePayload() throws IOException {
    Artifact artifact = Artifact.unpack(build("t", key), tmp.resolve("u"));
    Files.write(artifact.payloadPath(), "evil".getBytes(StandardCharsets.UTF_8));
    Files.write(
        artifact.dir().resolve(ArtifactFormat.CHECKSUMS),
        Checksums.render(Checksums.compute(artifact.dir())));

    assertThatThrownBy(() -> artifact.verify(trusted(key.getPublic()), true))
        .isInstanceOf(ArtifactException.class)
        .hasMessageContaining("pinned in manifest.json");
  }

  @Test
  void alteredManifest_failsSignature() throws IOException {
    Artifact artifact = Artifact.unpack(build("t", key), tmp.resolve("u"));
    Path manifest = artifact.dir().resolve(ArtifactFormat.MANIFEST);
    Files.writeString(manifest, Files.readString(manifest).replace("\"1.0\"", "\"6.6\""));
    Files.write(
        artifact.dir().resolve(ArtifactFormat.CHECKSUMS),
        Checksums.render(Checksums.compute(artifact.dir())));

    assertThatThrownBy(() -> Artifact.open(artifact.dir()).verify(trusted(key.getPublic()), true))
        .isInstanceOfSatisfying(
            ArtifactException.class,
            e -> assertThat(e.code()).isEqualTo(ArtifactErrorCode.SIGNATURE_INVALID));
  }

  @Test
  void signatureByUnknownKey_isUntrusted_andUnsigned_isRefusedWhenRequired() throws IOException {
    Artifact signed = Artifact.unpack(build("s", key), tmp.resolve("s"));
    PublicKey other = Ed25519Keys.generate().getPublic();
    assertThatThrownBy(() -> signed.verify(trusted(other), true))
        .isInstanceOfSatisfying(
            ArtifactException.class,
            e -> assertThat(e.code()).isEqualTo(ArtifactErrorCode.UNTRUSTED_KEY));

    Artifact unsigned = Artifact.unpack(build("u", null), tmp.resolve("u"));
    assertThat(unsigned.verify(Map.of(), false)).isNull();
    assertThatThrownBy(() -> unsigned.verify(Map.of(), true))
        .isInstanceOfSatisfying(
            ArtifactException.class,
            e -> assertThat(e.code()).isEqualTo(ArtifactErrorCode.UNSIGNED));
  }

  @Test
  void truncatedArchive_isReportedAsCorrupt() throws IOException {
    Path archive = build("c", key);
    byte[] bytes = Files.readAllBytes(archive);
    Path truncated = tmp.resolve("truncated.kiln");
    Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 3));

    assertThatThrownBy(() -> Artifact.unpack(truncated, tmp.resolve("x")))
        .isInstanceOf(ArtifactException.class)
        .hasMessageContaining("not a readable .kiln archive");
  }

  @Test
  void existingOutput_isKept_withoutForce() throws IOException {
    Path archive = build("e", key);
    byte[] before = Files.readAllBytes(archive);
    Path staging = stage("again");

    assertThatThrownBy(() -> ArtifactWriter.writeArchive(staging, archive, false))
        .isInstanceOfSatisfying(
            ArtifactException.class,
            e -> assertThat(e.code()).isEqualTo(ArtifactErrorCode.OUTPUT_EXISTS))
        .hasMessageContaining("--force");
    assertThat(Files.readAllBytes(archive)).isEqualTo(before);
  }

  @Test
  void keys_roundTripThroughPem_andRefuseOverwrite() throws IOException {
    Path priv = tmp.resolve("k.key");
    Path pub = tmp.resolve("k.pub");
    Ed25519Keys.writePair(key, priv, pub);

    assertThat(Ed25519Keys.keyId(Ed25519Keys.readPublic(pub)))
        .isEqualTo(Ed25519Keys.keyId(key.getPublic()));
    assertThat(Ed25519Keys.readPrivate(priv).getEncoded()).isEqualTo(key.getPrivate().getEncoded());
    assertThat(TrustedKeys.load(tmp)).containsOnlyKeys(Ed25519Keys.keyId(key.getPublic()));
    assertThatThrownBy(() -> Ed25519Keys.writePair(key, priv, pub))
        .isInstanceOf(ArtifactException.class);
    assertThatThrownBy(() -> Ed25519Keys.readPublic(priv))
        .hasMessageContaining("kiln keys generate");
  }

  private Path build(String label, KeyPair signer) throws IOException {
    Path staging = stage(label);
    ArtifactWriter.seal(staging, signer);
    Path out = tmp.resolve(label + ArtifactFormat.EXTENSION);
    ArtifactWriter.writeArchive(staging, out, false);
    return out;
  }

  private Path stage(String label) throws IOException {
    Path staging = Files.createDirectories(tmp.resolve("staging-" + label));
    byte[] payload = "not really onnx, but bytes".getBytes(StandardCharsets.UTF_8);
    Files.write(staging.resolve("model.onnx"), payload);
    VerificationSample sample =
        new VerificationSample(
            Map.of("x", TensorData.ofFloats(List.of(1L, 2L), new float[] {1f, 2f})),
            Map.of("y", TensorData.ofFloats(List.of(1L, 1L), new float[] {3f})),
            1e-4);
    byte[] sampleBytes = Json.toBytes(sample);
    Files.write(staging.resolve(ArtifactFormat.SAMPLE), sampleBytes);
    Manifest manifest =
        new Manifest(
            ArtifactFormat.VERSION,
            new Manifest.ModelInfo("demo", "1.0"),
            new Manifest.SourceInfo("onnx", "demo.onnx", Sha256.of(payload), 13),
            new Manifest.TargetInfo("linux-arm64", "arm64", null),
            new Manifest.EngineInfo(
                "onnxruntime", "1.21.1", List.of("CPUExecutionProvider"), 4, Map.of(), List.of()),
            new Manifest.Payload("model.onnx", "onnx", payload.length, Sha256.of(payload)),
            new Manifest.IoSignature(
                List.of(new Manifest.TensorSpec("x", "float32", List.of(-1L, 2L))),
                List.of(new Manifest.TensorSpec("y", "float32", List.of(-1L, 1L)))),
            List.of(),
            new Manifest.Verification(
                true,
                "onnxruntime-cpu",
                1,
                0,
                0,
                1e-4,
                "y",
                ArtifactFormat.SAMPLE,
                Sha256.of(sampleBytes)),
            null,
            new Manifest.Sizes(payload.length, payload.length),
            new Manifest.CompilerInfo("kiln", "test"));
    Files.write(staging.resolve(ArtifactFormat.MANIFEST), Json.toBytes(manifest));
    return staging;
  }

  private static Map<String, PublicKey> trusted(PublicKey key) {
    return Map.of(Ed25519Keys.keyId(key), key);
  }
}
