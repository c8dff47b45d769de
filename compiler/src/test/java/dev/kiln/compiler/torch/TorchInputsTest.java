package dev.kiln.compiler.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.artifact.Manifest;
import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.ort.HostTensor;
import dev.kiln.compiler.pipeline.CompileRequest;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorchInputsTest {
  private static CompileRequest request(Map<String, long[]> shapes, Path calibration) {
    return TorchSamples.withCalibration(
        CompileRequest.of(Path.of("m.pt"), "x86_64", Path.of(".")).withInputShapes(shapes),
        calibration);
  }

  @Test
  void of_makesSeededRandomSets_inArgumentOrder() {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    shapes.put("ids", new long[] {1, 4});
    shapes.put("image", new long[] {1, 3, 2, 2});
    TorchInputs a = TorchInputs.of(request(shapes, null));
    TorchInputs b = TorchInputs.of(request(shapes, null));

    assertThat(a.names()).containsExactly("ids", "image");
    assertThat(a.fixed()).isTrue();
    assertThat(a.sets()).hasSize(3);
    assertThat(a.sets().get(0).get(1).shape()).containsExactly(1, 3, 2, 2);
    assertThat((float[]) a.sets().get(0).get(1).values())
        .containsExactly((float[]) b.sets().get(0).get(1).values());
    assertThat(a.describe()).isEqualTo("ids:1x4, image:1x3x2x2");
  }

  @Test
  void of_requiresShapes_orCalibrationData() {
    assertThatThrownBy(() -> TorchInputs.of(request(Map.of(), null)))
        .isInstanceOfSatisfying(
            CompileException.class,
            e -> assertThat(e.code()).isEqualTo(CompileErrorCode.BAD_INPUT_SHAPE))
        .hasMessageContaining("--input-shape NAME:DIMS");
  }

  @Test
  void of_refusesShapes_thatContradictCalibrationData() {
    assertThatThrownBy(
            () ->
                TorchInputs.of(
                    request(
                        Map.of("input", new long[] {1, 3, 32, 32}), TorchSamples.cnnReference())))
        .isInstanceOf(CompileException.class)
        .hasMessageContaining("input:1x3x32x32")
        .hasMessageContaining("input:2x3x32x32");
  }

  @Test
  void signature_leavesBatchDynamic_onlyForCalibrationData() {
    TorchInputs calibrated = TorchInputs.of(request(Map.of(), TorchSamples.cnnReference()));
    List<HostTensor> outputs = List.of(HostTensor.ofFloats(new long[] {2, 10}, new float[20]));

    Manifest.IoSignature signature = calibrated.signature(outputs);

    assertThat(calibrated.fixed()).isFalse();
    assertThat(calibrated.sets()).hasSize(1);
    assertThat(signature.inputs().get(0).shape()).containsExactly(-1L, 3L, 32L, 32L);
    assertThat(signature.outputs().get(0))
        .isEqualTo(new Manifest.TensorSpec("output", "float32", List.of(-1L, 10L)));
    assertThat(TorchInputs.outputNames(2)).containsExactly("output0", "output1");
  }

  @Test
  void of_verifiesEveryCalibrationSample_inOrder_shapesFromTheFirst(@TempDir Path tmp)
      throws java.io.IOException {
    Path data = tmp.resolve("two.jsonl");
    java.nio.file.Files.writeString(
        data,
        """
        {"inputs": {"ids": {"dtype": "int64", "shape": [1, 2], "data": [1, 2]}}}
        {"inputs": {"ids": {"dtype": "int64", "shape": [1, 2], "data": [3, 4]}}}
        """);

    TorchInputs inputs = TorchInputs.of(request(Map.of(), data));

    assertThat(inputs.sets()).hasSize(2);
    assertThat((long[]) inputs.sets().get(1).get(0).values()).containsExactly(3, 4);
    assertThat(inputs.describe()).isEqualTo("ids:1x2");
    assertThat(inputs.dtypes()).containsExactly("int64");
  }
}
