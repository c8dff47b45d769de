package dev.kiln.compiler.quant;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.kiln.compiler.ir.OpHistogram;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ort.HostTensor;
import dev.kiln.compiler.ort.OrtOfflineOptimizer.OptimizerLevel;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class Int8QuantizerTest {
  private static final Int8Scheme U8S8 =
      new Int8Scheme(Int8Method.STATIC_QDQ, ActivationType.UINT8, true, false, "test");

  @Test
  void staticQdq_onSampleCnn_fusesIntoQLinearOpsAndKeepsOutputsClose() throws Exception {
    ModelProto fp32 = QuantFixtures.passed("cnn/cnn.onnx");
    List<Map<String, HostTensor>> calibration = QuantFixtures.samples(fp32, 16, 1000);
    List<Map<String, HostTensor>> heldOut = QuantFixtures.samples(fp32, 8, 5000);

    ReducedModel int8 =
        Int8Quantizer.quantize(fp32, calibration, U8S8, CalibrationMethod.MINMAX, Set.of());

    OpHistogram fused = QuantFixtures.afterOrt(int8.model(), OptimizerLevel.EXTENDED);
    System.out.println(fused.ops());
    System.out.println(int8.nodes());
    List<float[]> expected = QuantFixtures.run(fp32, heldOut, OptLevel.ALL_OPT);
    List<float[]> actual = QuantFixtures.run(int8.model(), heldOut, OptLevel.ALL_OPT);
    System.out.println("sqnr " + QuantFixtures.sqnrDb(expected, actual));
    assertThat(fused.ops()).containsKey("QLinearConv");
  }

  @Test
  void dynamic_onSampleMlp_fusesIntoDynamicQuantizeMatMul() throws Exception {
    ModelProto fp32 = QuantFixtures.passed("mlp/mlp.onnx");
    List<Map<String, HostTensor>> heldOut = QuantFixtures.samples(fp32, 8, 5000);
    Int8Scheme dynamic = U8S8.withMethod(Int8Method.DYNAMIC, "test");

    ReducedModel int8 =
        Int8Quantizer.quantize(fp32, List.of(), dynamic, CalibrationMethod.MINMAX, Set.of());

    OpHistogram fused = QuantFixtures.afterOrt(int8.model(), OptimizerLevel.EXTENDED);
    System.out.println(fused.ops());
    List<float[]> expected = QuantFixtures.run(fp32, heldOut, OptLevel.ALL_OPT);
    List<float[]> actual = QuantFixtures.run(int8.model(), heldOut, OptLevel.ALL_OPT);
    System.out.println("sqnr " + QuantFixtures.sqnrDb(expected, actual));
    assertThat(fused.ops()).containsKey("com.microsoft::DynamicQuantizeMatMul");
  }
}
