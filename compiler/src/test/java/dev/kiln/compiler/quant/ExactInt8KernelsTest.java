package dev.kiln.compiler.quant;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.kiln.compiler.ir.OnnxModelIO;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ort.HostModel;
import dev.kiln.compiler.ort.HostTensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Full-range int8 weights run on exact kernels ({@link HostModel#loadExactInt8}) agree with fp32 as
 * closely on an x86 host without VNNI as on one with it: the gate's view of a VNNI or arm64 device.
 * On an AMD EPYC (AVX2 only) ORT's default kernels gave this model 10.7 dB, the exact ones 45.1.
 */
class ExactInt8KernelsTest {
  @TempDir Path tmp;

  @Test
  void fullRangeDynamicMlp_onExactKernels_keepsItsAccuracyOnAnyHost() throws Exception {
    ModelProto mlp = QuantFixtures.passed("mlp/mlp.onnx");
    List<Map<String, HostTensor>> heldOut = QuantFixtures.samples(mlp, 8, 5000);
    Int8Scheme fullRange =
        new Int8Scheme(Int8Method.DYNAMIC, ActivationType.UINT8, true, false, "test");
    ReducedModel int8 =
        Int8Quantizer.quantize(mlp, List.of(), fullRange, CalibrationMethod.MINMAX, Set.of());
    Path file = tmp.resolve("mlp-int8.onnx");
    OnnxModelIO.write(int8.model(), file);

    List<float[]> actual = new ArrayList<>();
    try (HostModel model = HostModel.loadExactInt8(file, 1)) {
      for (Map<String, HostTensor> out : model.runAll(heldOut)) {
        actual.add((float[]) out.values().iterator().next().values());
      }
    }

    List<float[]> expected = QuantFixtures.run(mlp, heldOut, OptLevel.ALL_OPT);
    assertThat(QuantFixtures.sqnrDb(expected, actual)).isGreaterThan(40);
  }
}
