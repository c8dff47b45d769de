package dev.kiln.compiler.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.kiln.compiler.ir.Graphs;
import dev.kiln.compiler.ir.OpHistogram;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.OperatorSetIdProto;
import dev.kiln.compiler.ort.HostTensor;
import dev.kiln.compiler.ort.OrtOfflineOptimizer.OptimizerLevel;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class Int8QuantizerTest {
  private static final Int8Scheme U8S8 = QuantFixtures.HOST_U8S8;
  private static final Int8Scheme DYNAMIC = U8S8.withMethod(Int8Method.DYNAMIC, "test");

  private final ModelProto cnn = QuantFixtures.passed("cnn/cnn.onnx");
  private final List<Map<String, HostTensor>> calibration = QuantFixtures.samples(cnn, 16, 1000);
  private final List<Map<String, HostTensor>> heldOut = QuantFixtures.samples(cnn, 8, 5000);

  @Test
  void staticQdq_onSampleCnn_fusesEveryConvButTheRgbStemAndKeepsOutputsClose() throws Exception {
    ReducedModel int8 =
        Int8Quantizer.quantize(cnn, calibration, U8S8, CalibrationMethod.MINMAX, Set.of());

    OpHistogram fused = QuantFixtures.afterOrt(int8.model(), OptimizerLevel.EXTENDED);
    // conv1 reads the image with 3 channels x 3x3 = 27 products per output: it stays fp32.
    assertThat(fused.ops()).containsEntry("QLinearConv", 1);
    assertThat(fused.ops())
        .containsKeys("com.microsoft::QGemm", "com.microsoft::QLinearGlobalAveragePool");
    List<NodePrecision> convs =
        int8.nodes().stream().filter(n -> n.opType().equals("Conv")).toList();
    assertThat(convs).hasSize(2);
    assertThat(convs.get(0).precision()).isEqualTo(Precision.FP32);
    assertThat(convs.get(0).reason()).startsWith("stem Conv on a graph input with 27 products");
    assertThat(convs.get(1).precision()).isEqualTo(Precision.INT8);
    assertThat(int8.nodes())
        .filteredOn(n -> n.opType().equals("Relu") && !n.node().equals(firstRelu()))
        .allSatisfy(n -> assertThat(n.reason()).startsWith("folded into"));
    assertThat(int8.scheme()).contains("U8S8").contains("min-max");
    List<float[]> expected = QuantFixtures.run(cnn, heldOut, OptLevel.ALL_OPT);
    List<float[]> actual = QuantFixtures.run(int8.model(), heldOut, OptLevel.ALL_OPT);
    assertThat(QuantFixtures.sqnrDb(expected, actual)).isGreaterThan(35);
  }

  @Test
  void percentileAndSignedActivations_stillAgreeWithFp32() throws Exception {
    Int8Scheme s8s8 = new Int8Scheme(Int8Method.STATIC_QDQ, ActivationType.INT8, true, true, "t");

    ReducedModel int8 =
        Int8Quantizer.quantize(cnn, calibration, s8s8, CalibrationMethod.PERCENTILE, Set.of());

    assertThat(int8.scheme()).contains("S8S8").contains("7-bit").contains("percentile");
    List<float[]> expected = QuantFixtures.run(cnn, heldOut, OptLevel.ALL_OPT);
    List<float[]> actual = QuantFixtures.run(int8.model(), heldOut, OptLevel.ALL_OPT);
    assertThat(QuantFixtures.sqnrDb(expected, actual)).isGreaterThan(25);
  }

  @Test
  void keepFp32_leavesThatConvUnfused() throws Exception {
    // The second Conv: the first is the RGB stem, which stays fp32 anyway.
    String firstConv =
        cnn.getGraph().getNodeList().stream()
            .filter(n -> n.getOpType().equals("Conv"))
            .skip(1)
            .findFirst()
            .orElseThrow()
            .getName();

    ReducedModel int8 =
        Int8Quantizer.quantize(cnn, calibration, U8S8, CalibrationMethod.MINMAX, Set.of(firstConv));

    assertThat(int8.nodes())
        .filteredOn(n -> n.node().equals(firstConv))
        .singleElement()
        .satisfies(n -> assertThat(n.precision()).isEqualTo(Precision.FP32))
        .satisfies(n -> assertThat(n.reason()).contains("on request"));
    OpHistogram fused = QuantFixtures.afterOrt(int8.model(), OptimizerLevel.EXTENDED);
    assertThat(fused.ops()).doesNotContainKey("QLinearConv");
    assertThat(fused.ops().keySet()).anyMatch(op -> op.endsWith("Conv") && !op.contains("QLinear"));
  }

  /** The Relu after the stem: its producer stays fp32, so it has nothing to fold into. */
  private String firstRelu() {
    return cnn.getGraph().getNodeList().stream()
        .filter(n -> n.getOpType().equals("Relu"))
        .findFirst()
        .orElseThrow()
        .getName();
  }

  @Test
  void staticQdq_withoutCalibration_isRefused() {
    assertThatThrownBy(
            () -> Int8Quantizer.quantize(cnn, List.of(), U8S8, CalibrationMethod.MINMAX, Set.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("calibration");
  }

  @Test
  void dynamic_onSampleMlp_fusesIntoDynamicQuantizeMatMul() throws Exception {
    ModelProto mlp = QuantFixtures.passed("mlp/mlp.onnx");
    List<Map<String, HostTensor>> mlpHeldOut = QuantFixtures.samples(mlp, 8, 5000);

    ReducedModel int8 =
        Int8Quantizer.quantize(mlp, List.of(), DYNAMIC, CalibrationMethod.MINMAX, Set.of());

    OpHistogram fused = QuantFixtures.afterOrt(int8.model(), OptimizerLevel.EXTENDED);
    assertThat(fused.ops()).containsEntry("com.microsoft::DynamicQuantizeMatMul", 2);
    assertThat(fused.ops()).doesNotContainKey("Gemm");
    List<float[]> expected = QuantFixtures.run(mlp, mlpHeldOut, OptLevel.ALL_OPT);
    List<float[]> actual = QuantFixtures.run(int8.model(), mlpHeldOut, OptLevel.ALL_OPT);
    assertThat(QuantFixtures.sqnrDb(expected, actual)).isGreaterThan(35);
  }

  @Test
  void opset11Model_isRaisedTo13_whenItsOpsMeanTheSame() {
    ModelProto mlp11 = withOpset(QuantFixtures.passed("mlp/mlp.onnx"), 11);

    ReducedModel int8 =
        Int8Quantizer.quantize(mlp11, List.of(), DYNAMIC, CalibrationMethod.MINMAX, Set.of());

    assertThat(Graphs.opsetVersion(int8.model(), Graphs.DEFAULT_DOMAIN)).isEqualTo(13);
  }

  @Test
  void opset9Model_isRefusedWithTheReason() {
    ModelProto mlp9 = withOpset(QuantFixtures.passed("mlp/mlp.onnx"), 9);

    assertThatThrownBy(
            () ->
                Int8Quantizer.quantize(
                    mlp9, List.of(), DYNAMIC, CalibrationMethod.MINMAX, Set.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("opset 13")
        .hasMessageContaining("has opset 9");
  }

  private static ModelProto withOpset(ModelProto model, long version) {
    return model.toBuilder()
        .clearOpsetImport()
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(version))
        .build();
  }
}
