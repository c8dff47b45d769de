package dev.kiln.compiler.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

class TorchScriptArchiveTest {

  private static void assertBadInput(Path file, String... fragments) {
    assertThatThrownBy(() -> TorchScriptArchive.check(file))
        .isInstanceOfSatisfying(
            CompileException.class, e -> assertThat(e.code()).isEqualTo(CompileErrorCode.BAD_INPUT))
        .hasMessageContainingAll(fragments);
  }

  @Test
  void check_accepts_tracedAndScriptedModels() {
    assertThatCode(() -> TorchScriptArchive.check(TorchSamples.model("cnn/cnn.pt")))
        .doesNotThrowAnyException();
    assertThatCode(() -> TorchScriptArchive.check(TorchSamples.model("cnn/cnn.scripted.pt")))
        .doesNotThrowAnyException();
  }

  @Test
  void check_explainsTracing_forStateDict() {
    assertBadInput(
        TorchSamples.model("bad/state_dict.pt"),
        "state_dict",
        "traced = torch.jit.trace(model.eval(), example_input)",
        "traced.save(\"model.pt\")");
  }

  @Test
  void check_explainsTracing_forLegacyPickle() throws Exception {
    Path pickle = TorchSamples.newDir("pickle").resolve("legacy.pt");
    Files.write(pickle, new byte[] {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc});
    assertBadInput(pickle, "legacy", "torch.jit.trace");
  }

  @Test
  void check_refuses_textAndForeignZips() throws Exception {
    Path dir = TorchSamples.newDir("foreign");
    Path text = dir.resolve("model.pt");
    Files.copy(TorchSamples.model("bad/not_a_model.onnx"), text);
    Path zip = dir.resolve("other.pt");
    try (OutputStream out = Files.newOutputStream(zip);
        ZipOutputStream z = new ZipOutputStream(out)) {
      z.putNextEntry(new ZipEntry("readme.txt"));
      z.write("hello".getBytes());
      z.closeEntry();
    }

    assertBadInput(text, "not a zip archive");
    assertBadInput(zip, "no constants.pkl or code/");
    assertBadInput(dir.resolve("missing.pt"), "no model file");
  }
}
