package dev.kiln.compiler.torch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SourceKindTest {

  @Test
  void of_routesTorchScriptAndStateDicts_toTorch() {
    assertThat(SourceKind.of(TorchSamples.model("cnn/cnn.pt"))).isEqualTo(SourceKind.TORCH);
    assertThat(SourceKind.of(TorchSamples.model("cnn/cnn.scripted.pt")))
        .isEqualTo(SourceKind.TORCH);
    assertThat(SourceKind.of(TorchSamples.model("bad/state_dict.pt"))).isEqualTo(SourceKind.TORCH);
  }

  @Test
  void of_routesOnnx_toOnnx() {
    assertThat(SourceKind.of(TorchSamples.model("cnn/cnn.onnx"))).isEqualTo(SourceKind.ONNX);
    assertThat(SourceKind.of(TorchSamples.model("bad/not_a_model.onnx")))
        .isEqualTo(SourceKind.ONNX);
  }

  @Test
  void of_routesByContent_whenNameMisleads() throws Exception {
    Path dir = TorchSamples.newDir("kind");
    Path zipNamedOnnx = dir.resolve("model.onnx");
    Files.copy(TorchSamples.model("cnn/cnn.pt"), zipNamedOnnx);
    Path pickle = dir.resolve("weights.bin");
    Files.write(pickle, new byte[] {(byte) 0x80, 0x02, 'c', 'x'});
    Path textNamedPt = dir.resolve("notes.pt");
    Files.writeString(textNamedPt, "not a model");

    assertThat(SourceKind.of(zipNamedOnnx)).isEqualTo(SourceKind.TORCH);
    assertThat(SourceKind.of(pickle)).isEqualTo(SourceKind.TORCH);
    assertThat(SourceKind.of(textNamedPt)).isEqualTo(SourceKind.TORCH);
    assertThat(SourceKind.of(dir.resolve("missing.pt"))).isEqualTo(SourceKind.TORCH);
    assertThat(SourceKind.of(dir.resolve("missing.onnx"))).isEqualTo(SourceKind.ONNX);
  }
}
