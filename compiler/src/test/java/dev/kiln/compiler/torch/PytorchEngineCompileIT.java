package dev.kiln.compiler.torch;

import static dev.kiln.compiler.torch.TorchSamples.PROFILES;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.artifact.Artifact;
import dev.kiln.artifact.Manifest;
import dev.kiln.artifact.Sha256;
import dev.kiln.compiler.pipeline.CompileReport;
import dev.kiln.compiler.pipeline.CompileRequest;
import dev.kiln.compiler.pipeline.Compiler;
import dev.kiln.compiler.pipeline.ProgressListener;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code --engine pytorch}: TorchScript shipped as is, through the public Compiler entry. */
class PytorchEngineCompileIT {

  @ParameterizedTest
  @CsvSource({
    "cnn/cnn.pt, arm64, linux-aarch64",
    "cnn/cnn.pt, x86_64, linux-x86_64",
    "cnn/cnn.scripted.pt, arm64, linux-aarch64",
    "cnn/cnn.scripted.pt, x86_64, linux-x86_64"
  })
  void compile_shipsTorchScript_thatReproducesTheReference(
      String model, String target, String nativeClassifier) throws Exception {
    Path out = TorchSamples.newDir("pt-out");
    Path source = TorchSamples.model(model);
    CompileRequest request =
        TorchSamples.withCalibration(
            TorchSamples.request(source, target, out, "pytorch", Map.of()),
            TorchSamples.cnnReference());

    CompileReport report = new Compiler(PROFILES, ProgressListener.SILENT).compile(request);

    Artifact artifact = TorchSamples.unpackVerified(report.artifactPath());
    Manifest m = artifact.manifest();
    assertThat(m.engine().name()).isEqualTo("pytorch");
    assertThat(m.engine().version()).isEqualTo("2.7.1");
    assertThat(m.engine().nativeRequirements())
        .containsExactly("ai.djl.pytorch:pytorch-native-cpu:2.7.1:" + nativeClassifier);
    assertThat(m.payload().format()).isEqualTo("torchscript");
    assertThat(m.payload().file()).isEqualTo("model.pt");
    assertThat(m.payload().sha256()).isEqualTo(Sha256.of(source));
    assertThat(m.source().framework()).isEqualTo("torchscript");
    assertThat(m.target().arch()).isEqualTo(target);
    assertThat(m.verification().passed()).isTrue();
    assertThat(m.benchmark()).isNotNull();
    // Calibration data alone leaves the batch axis dynamic, as an ONNX export would.
    assertThat(m.signature().inputs())
        .containsExactly(new Manifest.TensorSpec("input", "float32", List.of(-1L, 3L, 32L, 32L)));
    assertThat(m.signature().outputs())
        .containsExactly(new Manifest.TensorSpec("output", "float32", List.of(-1L, 10L)));
    assertThat(artifact.sample().inputs()).containsOnlyKeys("input");
    TorchSamples.assertClose(
        TorchSamples.floats(artifact, "output"), TorchSamples.referenceOutput(), 1e-4);
  }

  @Test
  void compile_fixesSignature_toInputShape() throws Exception {
    Path out = TorchSamples.newDir("pt-shape");
    CompileRequest request =
        TorchSamples.request(
                TorchSamples.model("cnn/cnn.pt"), "x86_64", out, "pytorch", TorchSamples.cnnShape())
            .withSkipBenchmark(true);

    CompileReport report = new Compiler(PROFILES, ProgressListener.SILENT).compile(request);

    Manifest m = TorchSamples.unpackVerified(report.artifactPath()).manifest();
    assertThat(m.signature().inputs().get(0).shape()).containsExactly(1L, 3L, 32L, 32L);
    assertThat(m.signature().outputs().get(0).shape()).containsExactly(1L, 10L);
    assertThat(m.verification().samples()).isEqualTo(3);
    assertThat(m.benchmark()).isNull();
    assertThat(report.engine()).isEqualTo("pytorch");
  }

  @Test
  void compile_fallsBackToPytorch_whenNoPythonAndNoEngineGiven() throws Exception {
    Path out = TorchSamples.newDir("pt-fallback");
    CompileRequest request =
        TorchSamples.request(
                TorchSamples.model("cnn/cnn.pt"), "arm64", out, null, TorchSamples.cnnShape())
            .withSkipBenchmark(true);

    CompileReport report =
        new TorchCompiler(
                PROFILES, ProgressListener.SILENT, PythonLocator.at(Path.of("/nonexistent")))
            .compile(request);

    assertThat(report.engine()).isEqualTo("pytorch");
    assertThat(report.warnings())
        .singleElement()
        .asString()
        .contains("apt-get install python3-torch", "KILN_PYTHON");
    assertThat(TorchSamples.unpackVerified(report.artifactPath()).manifest().payload().format())
        .isEqualTo("torchscript");
  }

  @Test
  void compile_isByteIdentical_whenRepeatedWithoutBenchmark() throws Exception {
    byte[][] builds = new byte[2][];
    for (int i = 0; i < 2; i++) {
      CompileRequest request =
          TorchSamples.request(
                  TorchSamples.model("cnn/cnn.scripted.pt"),
                  "arm64",
                  TorchSamples.newDir("pt-repeat"),
                  "pytorch",
                  TorchSamples.cnnShape())
              .withSkipBenchmark(true);
      CompileReport report = new Compiler(PROFILES, ProgressListener.SILENT).compile(request);
      builds[i] = java.nio.file.Files.readAllBytes(report.artifactPath());
    }
    assertThat(builds[1]).isEqualTo(builds[0]);
  }
}
