package dev.kiln.artifact;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Small artifacts, sealed and signed with a test key, whose manifest a test may edit first. */
final class SignedStaging {
  static final byte[] PAYLOAD = "not really onnx, but bytes".getBytes(StandardCharsets.UTF_8);

  private final Path tmp;
  private final KeyPair key;

  SignedStaging(Path tmp, KeyPair key) {
    this.tmp = tmp;
    this.key = key;
  }

  /** A sealed, signed staging directory whose manifest {@code edit} may change before signing. */
  Path stage(UnaryOperator<Manifest> edit) throws IOException {
    Path staging = Files.createTempDirectory(tmp, "staging");
    Files.write(staging.resolve("model.onnx"), PAYLOAD);
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
            new Manifest.SourceInfo("onnx", "demo.onnx", Sha256.of(PAYLOAD), 13),
            new Manifest.TargetInfo("linux-arm64", "arm64", null),
            null,
            new Manifest.Payload("model.onnx", "onnx", PAYLOAD.length, Sha256.of(PAYLOAD)),
            null,
            List.of(),
            new Manifest.Verification(
                true, "t", 1, 0, 0, 1e-4, "y", ArtifactFormat.SAMPLE, Sha256.of(sampleBytes)),
            null,
            null,
            new Manifest.CompilerInfo("kiln", "test"));
    Files.write(staging.resolve(ArtifactFormat.MANIFEST), Json.toBytes(edit.apply(manifest)));
    ArtifactWriter.seal(staging, key);
    return staging;
  }

  static Manifest withPayloadFile(Manifest m, String file) {
    Manifest.Payload p = m.payload();
    return new Manifest(
        m.formatVersion(),
        m.model(),
        m.source(),
        m.target(),
        m.engine(),
        new Manifest.Payload(file, p.format(), p.bytes(), p.sha256()),
        m.signature(),
        m.passes(),
        m.verification(),
        m.benchmark(),
        m.sizes(),
        m.compiler());
  }

  static Manifest withSampleFile(Manifest m, String file) {
    Manifest.Verification v = m.verification();
    return new Manifest(
        m.formatVersion(),
        m.model(),
        m.source(),
        m.target(),
        m.engine(),
        m.payload(),
        m.signature(),
        m.passes(),
        new Manifest.Verification(
            v.passed(),
            v.method(),
            v.samples(),
            v.maxAbsError(),
            v.maxRelError(),
            v.tolerance(),
            v.worstOutput(),
            file,
            v.sampleSha256()),
        m.benchmark(),
        m.sizes(),
        m.compiler());
  }
}
