package dev.kiln.compiler.quant;

import static dev.kiln.compiler.ir.TestGraphs.attr;
import static dev.kiln.compiler.ir.TestGraphs.ints;
import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.kiln.compiler.ir.OpHistogram;
import dev.kiln.compiler.ir.TestGraphs;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ort.HostTensor;
import dev.kiln.compiler.ort.OrtOfflineOptimizer.OptimizerLevel;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every op static QDQ claims to cover, in one graph, through ONNX Runtime's fusion. */
class QdqOpCoverageTest {

  /**
   * x -> Conv -> Relu -> {Sigmoid, Mul} -> AveragePool ┐ x -> Conv(stride 2)
   * ------------------------------ Concat -> Transpose -> Reshape -> Unsqueeze -> Squeeze -> MatMul
   * -> Add(bias) -> MaxPool-free tail: out
   */
  private static ModelProto graph() {
    return TestGraphs.model(13)
        // 64 input channels: fewer would make both Convs an fp32 stem (QdqPlan.stemRefusal).
        .input("x", 1, 64, 8, 8)
        .random("w1", 1, false, 8, 64, 3, 3)
        .random("b1", 2, false, 8)
        .random("w2", 3, false, 8, 64, 1, 1)
        .random("wm", 4, false, 256, 10)
        .random("bias", 5, false, 10)
        .longs("flat", new long[] {2}, 1, 256)
        .longs("axis0", new long[] {1}, 0)
        .node("Conv", List.of("x", "w1", "b1"), List.of("c1"), ints("pads", 1, 1, 1, 1))
        .node("Relu", List.of("c1"), List.of("r1"))
        .node("Sigmoid", List.of("r1"), List.of("s1"))
        .node("Mul", List.of("r1", "s1"), List.of("m1"))
        .node(
            "AveragePool",
            List.of("m1"),
            List.of("p1"),
            ints("kernel_shape", 2, 2),
            ints("strides", 2, 2))
        .node("Conv", List.of("x", "w2"), List.of("c2"), ints("strides", 2, 2))
        .node("Concat", List.of("p1", "c2"), List.of("cat"), attr("axis", 1L))
        .node("Transpose", List.of("cat"), List.of("t"), ints("perm", 0, 2, 3, 1))
        .node("Reshape", List.of("t", "flat"), List.of("rs"))
        .node("Unsqueeze", List.of("rs", "axis0"), List.of("u"))
        .node("Squeeze", List.of("u", "axis0"), List.of("sq"))
        .node("MatMul", List.of("sq", "wm"), List.of("mm"))
        .node("Add", List.of("mm", "bias"), List.of("out"))
        .output("out")
        .build();
  }

  @Test
  void everyCoveredOp_fusesIntoItsInt8Kernel_orRunsOn8BitData() throws Exception {
    ModelProto fp32 = graph();
    // 64 samples: the 10 logits of 16 samples (160 values) under-cover held-out extremes, which
    // then saturate (min-max calibration clips what it never saw).
    List<Map<String, HostTensor>> calibration = QuantFixtures.samples(fp32, 64, 1);
    Int8Scheme u8s8 = QuantFixtures.HOST_U8S8;

    ReducedModel int8 =
        Int8Quantizer.quantize(fp32, calibration, u8s8, CalibrationMethod.MINMAX, Set.of());

    assertThat(int8.nodes()).allSatisfy(n -> assertThat(n.precision()).isEqualTo(Precision.INT8));
    OpHistogram fused = QuantFixtures.afterOrt(int8.model(), OptimizerLevel.EXTENDED);
    assertThat(fused.ops())
        .containsEntry("QLinearConv", 2)
        .containsKeys(
            "com.microsoft::QLinearSigmoid",
            "com.microsoft::QLinearMul",
            "com.microsoft::QLinearAveragePool",
            "com.microsoft::QLinearConcat",
            "QLinearMatMul",
            "com.microsoft::QLinearAdd")
        .containsEntry("QuantizeLinear", 1)
        .containsEntry("DequantizeLinear", 1);
    List<Map<String, HostTensor>> heldOut = QuantFixtures.samples(fp32, 4, 100);
    List<float[]> expected = QuantFixtures.run(fp32, heldOut, OptLevel.ALL_OPT);
    List<float[]> actual = QuantFixtures.run(int8.model(), heldOut, OptLevel.ALL_OPT);
    assertThat(QuantFixtures.sqnrDb(expected, actual)).isGreaterThan(25);
  }

  @Test
  void uncoveredOp_staysFp32WithItsReason_andReadsDequantizedInput() throws Exception {
    ModelProto fp32 =
        TestGraphs.model(13)
            .input("x", 1, 64, 8, 8)
            .random("w", 1, false, 8, 64, 1, 1)
            .node("Conv", List.of("x", "w"), List.of("c"))
            .node("Softmax", List.of("c"), List.of("out"), attr("axis", 1L))
            .output("out")
            .build();
    Int8Scheme u8s8 = QuantFixtures.HOST_U8S8;

    ReducedModel int8 =
        Int8Quantizer.quantize(
            fp32, QuantFixtures.samples(fp32, 8, 1), u8s8, CalibrationMethod.MINMAX, Set.of());

    assertThat(int8.nodes())
        .extracting(NodePrecision::opType, NodePrecision::precision)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("Conv", Precision.INT8),
            org.assertj.core.groups.Tuple.tuple("Softmax", Precision.FP32));
    assertThat(int8.nodes().get(1).reason()).contains("no int8 kernel for Softmax");
    OpHistogram fused = QuantFixtures.afterOrt(int8.model(), OptimizerLevel.EXTENDED);
    assertThat(fused.ops()).containsEntry("QLinearConv", 1).containsEntry("Softmax", 1);
  }
}
