package dev.kiln.compiler.torch;

import static dev.kiln.compiler.torch.TorchSamples.PROFILES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.artifact.Artifact;
import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.artifact.Manifest;
import dev.kiln.artifact.Sha256;
import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.pipeline.CompileReport;
import dev.kiln.compiler.pipeline.CompileRequest;
import dev.kiln.compiler.pipeline.Compiler;
import dev.kiln.compiler.pipeline.ProgressListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code --engine onnxruntime}: TorchScript converted by the host's torch, then the ONNX pipeline.
 * Needs python3 with torch; CI installs python3-torch, so there (CI=true) these never skip.
 */
class OnnxEngineCompileIT {

  @BeforeAll
  static void needsTorch() {
    boolean torch = PythonLocator.standard().probe().found() != null;
    Assumptions.assumeTrue(
        torch || "true".equals(System.getenv("CI")),
        "skipped: no python3 with torch here (apt-get install python3-torch); CI must have it");
  }

  @ParameterizedTest
  @CsvSource({
    "cnn/cnn.pt, arm64",
    "cnn/cnn.pt, x86_64",
    "cnn/cnn.scripted.pt, arm64",
    "cnn/cnn.scripted.pt, x86_64"
  })
  void compile_convertsToOnnx_andKeepsTorchScriptAsSource(String model, String target)
      throws Exception {
    Path out = TorchSamples.newDir("onnx-out");
    Path source = TorchSamples.model(model);
    CompileRequest request =
        TorchSamples.withCalibration(
            TorchSamples.request(source, target, out, "onnxruntime", Map.of()),
            TorchSamples.cnnReference());

    CompileReport report = new Compiler(PROFILES, ProgressListener.SILENT).compile(request);

    Artifact artifact = TorchSamples.unpackVerified(report.artifactPath());
    Manifest m = artifact.manifest();
    assertThat(m.engine().name()).isEqualTo("onnxruntime");
    assertThat(m.payload().format()).isIn("onnx", "ort");
    assertThat(m.source().framework()).isEqualTo("torchscript");
    assertThat(m.source().fileName()).isEqualTo(source.getFileName().toString());
    assertThat(m.source().sha256()).isEqualTo(Sha256.of(source));
    assertThat(m.sizes().sourceBytes()).isEqualTo(Files.size(source));
    assertThat(m.passes().get(0).name()).startsWith("torchscript-to-onnx (opset 13, torch ");
    assertThat(m.verification().method()).contains("TorchScript source in libtorch 2.7.1");
    assertThat(m.target().arch()).isEqualTo(target);
    assertThat(m.benchmark()).isNotNull();
    TorchSamples.assertClose(
        TorchSamples.floats(artifact, "output"), TorchSamples.referenceOutput(), 1e-4);
  }

  @Test
  void compile_servesNvidia_throughOnnxByDefault() throws Exception {
    Path out = TorchSamples.newDir("onnx-nvidia");
    CompileRequest request =
        TorchSamples.request(
                TorchSamples.model("cnn/cnn.pt"), "nvidia", out, null, TorchSamples.cnnShape())
            .withSkipBenchmark(true);

    CompileReport report = new Compiler(PROFILES, ProgressListener.SILENT).compile(request);

    Manifest m = TorchSamples.unpackVerified(report.artifactPath()).manifest();
    assertThat(m.engine().name()).isEqualTo("onnxruntime");
    assertThat(m.engine().executionProviders()).contains("CUDAExecutionProvider");
    assertThat(m.signature().inputs().get(0).shape()).containsExactly(1L, 3L, 32L, 32L);
  }

  @Test
  void compile_signs_theRepackagedArtifact() throws Exception {
    Path out = TorchSamples.newDir("onnx-signed");
    Path keys = TorchSamples.newDir("keys");
    KeyPair pair = Ed25519Keys.generate();
    Ed25519Keys.writePair(pair, keys.resolve("kiln.key"), keys.resolve("kiln.pub"));
    CompileRequest request =
        TorchSamples.request(
                TorchSamples.model("cnn/cnn.pt"),
                "arm64",
                out,
                "onnxruntime",
                TorchSamples.cnnShape())
            .withSkipBenchmark(true)
            .withSignKey(keys.resolve("kiln.key"));

    CompileReport report = new Compiler(PROFILES, ProgressListener.SILENT).compile(request);

    Artifact artifact =
        Artifact.unpack(report.artifactPath(), TorchSamples.newDir("signed").resolve("a"));
    assertThat(artifact.verify(Map.of(Ed25519Keys.keyId(pair.getPublic()), pair.getPublic()), true))
        .isEqualTo(Ed25519Keys.keyId(pair.getPublic()));
    assertThat(report.signed()).isTrue();
    assertThat(artifact.manifest().source().framework()).isEqualTo("torchscript");
  }

  @Test
  void compile_fails_whenCalibrationOutputsDisagree() throws Exception {
    Path out = TorchSamples.newDir("onnx-mismatch");
    Path wrong = out.resolveSibling(out.getFileName() + "-wrong.json");
    String reference = Files.readString(TorchSamples.cnnReference());
    // Same inputs, outputs from another "model": the first output value shifted by 1.
    int at = reference.indexOf("\"data\":[", reference.indexOf("\"outputs\"")) + 8;
    int end = reference.indexOf(',', at);
    double first = Double.parseDouble(reference.substring(at, end));
    Files.writeString(wrong, reference.substring(0, at) + (first + 1) + reference.substring(end));
    CompileRequest request =
        TorchSamples.withCalibration(
            TorchSamples.request(
                TorchSamples.model("cnn/cnn.pt"), "x86_64", out, "onnxruntime", Map.of()),
            wrong);

    assertThatThrownBy(() -> new Compiler(PROFILES, ProgressListener.SILENT).compile(request))
        .isInstanceOfSatisfying(
            CompileException.class,
            e -> assertThat(e.code()).isEqualTo(CompileErrorCode.VERIFICATION_FAILED))
        .hasMessageContaining("does not reproduce the outputs in --calibration-data");
    assertThat(TorchSamples.contents(out)).isEmpty();
  }

  @Test
  void compile_fails_whenInputShapeWrong_onOnnxPath() throws Exception {
    Path out = TorchSamples.newDir("onnx-shape");
    CompileRequest request =
        TorchSamples.request(
            TorchSamples.model("cnn/cnn.scripted.pt"),
            "x86_64",
            out,
            "onnxruntime",
            Map.of("input", new long[] {1, 4, 32, 32}));

    assertThatThrownBy(() -> new Compiler(PROFILES, ProgressListener.SILENT).compile(request))
        .isInstanceOfSatisfying(
            CompileException.class,
            e -> assertThat(e.code()).isEqualTo(CompileErrorCode.BAD_INPUT_SHAPE))
        .hasMessageContaining("input:1x4x32x32")
        .hasMessageContaining("expected input[1, 4, 32, 32] to have 3 channels");
    assertThat(TorchSamples.contents(out)).isEmpty();
  }

  @Test
  void compile_isByteIdentical_whenRepeatedWithoutBenchmark() throws Exception {
    byte[][] builds = new byte[2][];
    for (int i = 0; i < 2; i++) {
      CompileRequest request =
          TorchSamples.request(
                  TorchSamples.model("cnn/cnn.scripted.pt"),
                  "arm64",
                  TorchSamples.newDir("onnx-repeat"),
                  "onnxruntime",
                  TorchSamples.cnnShape())
              .withSkipBenchmark(true);
      CompileReport report = new Compiler(PROFILES, ProgressListener.SILENT).compile(request);
      builds[i] = java.nio.file.Files.readAllBytes(report.artifactPath());
    }
    assertThat(builds[1]).isEqualTo(builds[0]);
  }
}
