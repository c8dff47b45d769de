package dev.kiln.compiler.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.pipeline.CompileRequest;
import dev.kiln.compiler.pipeline.CompileSteps;
import dev.kiln.compiler.pipeline.ResolvedTarget;
import dev.kiln.profile.InferenceEngine;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EnginePlanTest {
  private static final PythonLocator NO_PYTHON = PythonLocator.at(Path.of("/nonexistent"));

  private static ResolvedTarget target(String name) {
    return CompileSteps.resolveTarget(
        TorchSamples.PROFILES, CompileRequest.of(Path.of("m.pt"), name, Path.of(".")));
  }

  @Test
  void choose_usesPytorch_whenAskedOnCpu() {
    EnginePlan plan = EnginePlan.choose(InferenceEngine.PYTORCH, target("arm64"), NO_PYTHON);
    assertThat(plan.engine()).isEqualTo(InferenceEngine.PYTORCH);
    assertThat(plan.warnings()).isEmpty();
  }

  @Test
  void choose_fallsBackToPytorch_withAWarning_whenNoPythonOnCpu() {
    EnginePlan plan = EnginePlan.choose(null, target("x86_64"), NO_PYTHON);
    assertThat(plan.engine()).isEqualTo(InferenceEngine.PYTORCH);
    assertThat(plan.warnings()).singleElement().asString().contains("python3-torch");
  }

  @Test
  void choose_refusesPytorch_forNvidia() {
    assertThatThrownBy(
            () -> EnginePlan.choose(InferenceEngine.PYTORCH, target("nvidia"), NO_PYTHON))
        .isInstanceOfSatisfying(
            CompileException.class,
            e -> assertThat(e.code()).isEqualTo(CompileErrorCode.ENGINE_UNAVAILABLE))
        .hasMessageContaining("no CUDA build of libtorch");
  }

  @Test
  void choose_namesTheInstall_whenOnnxruntimeHasNoPython() {
    assertThatThrownBy(
            () -> EnginePlan.choose(InferenceEngine.ONNXRUNTIME, target("arm64"), NO_PYTHON))
        .isInstanceOfSatisfying(
            CompileException.class,
            e -> assertThat(e.code()).isEqualTo(CompileErrorCode.ENGINE_UNAVAILABLE))
        .hasMessageContainingAll(
            "apt-get install python3-torch", "KILN_PYTHON", "--engine pytorch", "/nonexistent");
  }

  @Test
  void parse_refusesUnknownEngines() {
    assertThatThrownBy(() -> EnginePlan.parse("tensorrt"))
        .isInstanceOfSatisfying(
            CompileException.class, e -> assertThat(e.code()).isEqualTo(CompileErrorCode.BAD_INPUT))
        .hasMessageContaining("onnxruntime, pytorch");
    assertThat(EnginePlan.parse(null)).isNull();
  }

  @Test
  void locator_usesOnlyKilnPython_whenSet() {
    PythonLocator locator =
        PythonLocator.fromEnvironment(
            java.util.Map.of("KILN_PYTHON", "/nonexistent/python", "PATH", "/usr/bin"));
    assertThat(locator.probe().found()).isNull();
    assertThat(locator.probe().tried()).containsExactly("/nonexistent/python: not found");
  }
}
