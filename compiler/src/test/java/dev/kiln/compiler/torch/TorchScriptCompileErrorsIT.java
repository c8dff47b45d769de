package dev.kiln.compiler.torch;

import static dev.kiln.compiler.torch.TorchSamples.PROFILES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.pipeline.CompileRequest;
import dev.kiln.compiler.pipeline.Compiler;
import dev.kiln.compiler.pipeline.ProgressListener;
import dev.kiln.compiler.pipeline.QuantizeMode;
import dev.kiln.compiler.pipeline.QuantizeOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/** Each bad TorchScript input stops the compile with its own code and fix, and writes nothing. */
class TorchScriptCompileErrorsIT {
  private static final PythonLocator NO_PYTHON = PythonLocator.at(Path.of("/nonexistent"));

  private static AbstractThrowableAssert<?, ? extends Throwable> compiling(
      CompileRequest request, PythonLocator python, CompileErrorCode code) throws Exception {
    var thrown =
        assertThatThrownBy(
                () -> new TorchCompiler(PROFILES, ProgressListener.SILENT, python).compile(request))
            .isInstanceOfSatisfying(
                CompileException.class, e -> assertThat(e.code()).isEqualTo(code));
    assertThat(TorchSamples.contents(request.output())).as("files left behind").isEmpty();
    return thrown;
  }

  private static CompileRequest pytorch(Path source, String target, Map<String, long[]> shapes)
      throws Exception {
    return TorchSamples.request(source, target, TorchSamples.newDir("err"), "pytorch", shapes);
  }

  @Test
  void compile_fails_whenFileIsAStateDict() throws Exception {
    compiling(
            pytorch(TorchSamples.model("bad/state_dict.pt"), "x86_64", TorchSamples.cnnShape()),
            NO_PYTHON,
            CompileErrorCode.BAD_INPUT)
        .hasMessageContaining("not TorchScript")
        .hasMessageContaining("traced = torch.jit.trace(model.eval(), example_input)")
        .hasMessageContaining("traced.save(\"model.pt\")");
  }

  @Test
  void compile_fails_whenPtFileIsNotAModel() throws Exception {
    Path dir = TorchSamples.newDir("renamed");
    Path renamed = dir.resolve("not_a_model.pt");
    Files.copy(TorchSamples.model("bad/not_a_model.onnx"), renamed);
    CompileRequest request = pytorch(renamed, "x86_64", TorchSamples.cnnShape());

    // Through the Compiler: the .pt name must route it here, not to the ONNX reader.
    assertThatThrownBy(() -> new Compiler(PROFILES, ProgressListener.SILENT).compile(request))
        .isInstanceOfSatisfying(
            CompileException.class, e -> assertThat(e.code()).isEqualTo(CompileErrorCode.BAD_INPUT))
        .hasMessageContaining("not a TorchScript model")
        .hasMessageContaining("torch.jit.trace");
    assertThat(TorchSamples.contents(request.output())).isEmpty();
  }

  @Test
  void compile_fails_whenInputShapeDoesNotFitForward() throws Exception {
    compiling(
            pytorch(
                TorchSamples.model("cnn/cnn.pt"),
                "arm64",
                Map.of("input", new long[] {1, 4, 32, 32})),
            NO_PYTHON,
            CompileErrorCode.BAD_INPUT_SHAPE)
        .hasMessageContaining("input:1x4x32x32")
        .hasMessageContaining("expected input[1, 4, 32, 32] to have 3 channels");
  }

  @Test
  void compile_fails_whenNoInputShapeGiven() throws Exception {
    compiling(
            pytorch(TorchSamples.model("cnn/cnn.pt"), "arm64", Map.of()),
            NO_PYTHON,
            CompileErrorCode.BAD_INPUT_SHAPE)
        .hasMessageContaining("--input-shape")
        .hasMessageContaining("--calibration-data");
  }

  @Test
  void compile_fails_whenPytorchAskedForNvidia() throws Exception {
    compiling(
            pytorch(TorchSamples.model("cnn/cnn.pt"), "nvidia", TorchSamples.cnnShape()),
            NO_PYTHON,
            CompileErrorCode.ENGINE_UNAVAILABLE)
        .hasMessageContaining("no CUDA build of libtorch")
        .hasMessageContaining("--engine onnxruntime");
  }

  @Test
  void compile_fails_whenOnnxEngineHasNoPython() throws Exception {
    CompileRequest request =
        TorchSamples.request(
            TorchSamples.model("cnn/cnn.pt"),
            "x86_64",
            TorchSamples.newDir("err"),
            "onnxruntime",
            TorchSamples.cnnShape());
    compiling(request, NO_PYTHON, CompileErrorCode.ENGINE_UNAVAILABLE)
        .hasMessageContaining("/nonexistent: not found")
        .hasMessageContaining("apt-get install python3-torch")
        .hasMessageContaining("KILN_PYTHON")
        .hasMessageContaining("--engine pytorch");
  }

  @Test
  void compile_fails_whenNvidiaHasNoPython() throws Exception {
    CompileRequest request =
        TorchSamples.request(
            TorchSamples.model("cnn/cnn.pt"),
            "nvidia",
            TorchSamples.newDir("err"),
            null,
            TorchSamples.cnnShape());
    compiling(request, NO_PYTHON, CompileErrorCode.ENGINE_UNAVAILABLE)
        .hasMessageContaining("apt-get install python3-torch")
        .hasMessageContaining("no CUDA build of libtorch");
  }

  @Test
  void compile_fails_whenPytorchEngineGivenAnOnnxModel() throws Exception {
    CompileRequest request =
        pytorch(TorchSamples.model("cnn/cnn.onnx"), "x86_64", TorchSamples.cnnShape());
    assertThatThrownBy(() -> new Compiler(PROFILES, ProgressListener.SILENT).compile(request))
        .isInstanceOfSatisfying(
            CompileException.class, e -> assertThat(e.code()).isEqualTo(CompileErrorCode.BAD_INPUT))
        .hasMessageContaining("is ONNX");
  }

  @Test
  void compile_refusesQuantize_forThePytorchEngine_namingOnnxRuntime() throws Exception {
    CompileRequest request =
        pytorch(TorchSamples.model("cnn/cnn.pt"), "x86_64", TorchSamples.cnnShape())
            .withQuantize(QuantizeOptions.of(QuantizeMode.INT8));

    compiling(request, NO_PYTHON, CompileErrorCode.BAD_INPUT)
        .hasMessageContaining("--quantize int8 needs the ONNX Runtime engine")
        .hasMessageContaining("--engine onnxruntime");
  }
}
