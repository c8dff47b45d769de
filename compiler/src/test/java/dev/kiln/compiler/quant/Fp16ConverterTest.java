package dev.kiln.compiler.quant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.compiler.ir.OrtRunner;
import dev.kiln.compiler.ir.TestGraphs;
import dev.kiln.compiler.ir.proto.GraphProto;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.NodeProto;
import dev.kiln.compiler.ir.proto.TensorProto;
import dev.kiln.compiler.ir.proto.TensorProto.DataType;
import dev.kiln.compiler.ir.proto.ValueInfoProto;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class Fp16ConverterTest {
  /** x[2,8] -> MatMul(w[8,4]) -> Add(b) -> Relu -> y. */
  private static ModelProto mlp() {
    return TestGraphs.model(17)
        .input("x", 2, 8)
        .random("w", 1, false, 8, 4)
        .random("b", 2, false, 4)
        .node("MatMul", List.of("x", "w"), List.of("h"))
        .node("Add", List.of("h", "b"), List.of("a"))
        .node("Relu", List.of("a"), List.of("y"))
        .output("y")
        .build();
  }

  private static int elemType(List<ValueInfoProto> infos, String name) {
    return infos.stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElseThrow()
        .getType()
        .getTensorType()
        .getElemType();
  }

  private static TensorProto initializer(ModelProto m, String name) {
    return m.getGraph().getInitializerList().stream()
        .filter(t -> t.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static List<String> ops(ModelProto m) {
    return m.getGraph().getNodeList().stream().map(NodeProto::getOpType).toList();
  }

  @Test
  void convert_storesWeightsAsFp16_andCastsAtTheEdges_whenIoStaysFp32() {
    ReducedModel r = Fp16Converter.convert(mlp(), true, Set.of());
    ModelProto m = r.model();

    assertThat(initializer(m, "w").getDataType()).isEqualTo(DataType.FLOAT16_VALUE);
    assertThat(initializer(m, "w").getRawData().size()).isEqualTo(2 * 8 * 4);
    assertThat(elemType(m.getGraph().getInputList(), "x")).isEqualTo(DataType.FLOAT_VALUE);
    assertThat(elemType(m.getGraph().getOutputList(), "y")).isEqualTo(DataType.FLOAT_VALUE);
    assertThat(ops(m)).containsExactly("Cast", "MatMul", "Add", "Relu", "Cast");
    assertThat(r.nodes())
        .extracting(NodePrecision::precision)
        .containsExactly(Precision.FP16, Precision.FP16, Precision.FP16);
    assertThat(r.scheme()).contains("fp16").contains("fp32 inputs and outputs");
  }

  @Test
  void convert_runsOnOnnxRuntimeCpu_closeToFp32() {
    ModelProto fp32 = mlp();
    ModelProto fp16 = Fp16Converter.convert(fp32, true, Set.of()).model();

    Map<String, float[]> inputs = OrtRunner.randomInputs(fp32, 3);
    double[] expected = OrtRunner.run(fp32, inputs).get("y").values();
    double[] actual = OrtRunner.run(fp16, inputs).get("y").values();
    assertThat(OrtRunner.maxAbsDiff(expected, actual)).isLessThan(1e-2).isGreaterThan(0);
  }

  @Test
  void convert_withFp16Io_retypesInputsAndOutputs_withoutEdgeCasts() {
    ModelProto m = Fp16Converter.convert(mlp(), false, Set.of()).model();

    assertThat(elemType(m.getGraph().getInputList(), "x")).isEqualTo(DataType.FLOAT16_VALUE);
    assertThat(elemType(m.getGraph().getOutputList(), "y")).isEqualTo(DataType.FLOAT16_VALUE);
    assertThat(ops(m)).containsExactly("MatMul", "Add", "Relu");
  }

  @Test
  void convert_keepsRequestedNodesFp32_betweenCasts() {
    ReducedModel r = Fp16Converter.convert(mlp(), true, Set.of("add_1"));

    assertThat(r.nodes().get(1))
        .isEqualTo(new NodePrecision("add_1", "Add", Precision.FP32, "kept in fp32 on request"));
    // The bias is read by the fp32 Add only, so it stays fp32 and needs no Cast.
    assertThat(initializer(r.model(), "b").getDataType()).isEqualTo(DataType.FLOAT_VALUE);
    assertThat(ops(r.model()))
        .containsExactly("Cast", "MatMul", "Cast", "Add", "Cast", "Relu", "Cast");
    Map<String, float[]> inputs = OrtRunner.randomInputs(mlp(), 4);
    assertThat(
            OrtRunner.maxAbsDiff(
                OrtRunner.run(mlp(), inputs).get("y").values(),
                OrtRunner.run(r.model(), inputs).get("y").values()))
        .isLessThan(1e-2);
  }

  @Test
  void convert_clampsWeightsBeyondFp16Range_andSaysHowMany() {
    ModelProto model =
        TestGraphs.model(17)
            .input("x", 3)
            .floats("k", new long[] {3}, 1e6f, -70000f, 2f)
            .node("Mul", List.of("x", "k"), List.of("y"))
            .output("y")
            .build();

    ReducedModel r = Fp16Converter.convert(model, true, Set.of());

    assertThat(Fp16Tensors.fp16Values(initializer(r.model(), "k")))
        .containsExactly(65504f, -65504f, 2f);
    assertThat(r.scheme()).contains("2 weight value(s) beyond ±65504 clamped");
  }

  @Test
  void convert_leavesShapeArithmeticInFp32() {
    // Resize to twice the input's height and width, computed from its shape in float.
    ModelProto model =
        TestGraphs.model(17)
            .input("x", 1, 1, 3, 5)
            .node("Shape", List.of("x"), List.of("s"))
            .node("Cast", List.of("s"), List.of("sf"), TestGraphs.attr("to", DataType.FLOAT_VALUE))
            .floats("two", new long[] {4}, 1f, 1f, 2f, 2f)
            .node("Mul", List.of("sf", "two"), List.of("sz"))
            .node("Cast", List.of("sz"), List.of("sizes"), TestGraphs.attr("to", 7L))
            .node("Resize", List.of("x", "", "", "sizes"), List.of("r"), TestGraphs.ints("axes"))
            .node("Relu", List.of("r"), List.of("y"))
            .output("y")
            .build()
            .toBuilder()
            .build();
    model = withoutAttr(model, "axes");

    ReducedModel r = Fp16Converter.convert(model, true, Set.of());

    Map<String, Precision> byNode = new java.util.HashMap<>();
    r.nodes().forEach(n -> byNode.put(n.node(), n.precision()));
    assertThat(byNode)
        .containsEntry("cast_1", Precision.FP32)
        .containsEntry("mul_2", Precision.FP32)
        .containsEntry("resize_4", Precision.FP16)
        .containsEntry("relu_5", Precision.FP16);
    NodeProto cast =
        r.model().getGraph().getNodeList().stream()
            .filter(n -> n.getName().equals("cast_1"))
            .findFirst()
            .orElseThrow();
    assertThat(cast.getAttribute(0).getI()).isEqualTo(DataType.FLOAT_VALUE);
    assertThat(initializer(r.model(), "two").getDataType()).isEqualTo(DataType.FLOAT_VALUE);
    Map<String, float[]> inputs = OrtRunner.randomInputs(model, 5);
    OrtRunner.Output out = OrtRunner.run(r.model(), inputs).get("y");
    assertThat(out.shape()).containsExactly(1, 1, 6, 10);
  }

  @Test
  void convert_keepsRangeFp32_andTurnsFloatCastsAndConstantsToFp16() {
    ModelProto model =
        TestGraphs.model(17)
            .input("x", 4)
            .floats("start", new long[0], 0f)
            .floats("limit", new long[0], 4f)
            .floats("delta", new long[0], 1f)
            .node("Range", List.of("start", "limit", "delta"), List.of("ramp"))
            .node("Add", List.of("x", "ramp"), List.of("a"))
            .node("Constant", List.of(), List.of("half"), TestGraphs.attr("value_float", 0.5f))
            .node("Mul", List.of("a", "half"), List.of("y"))
            .output("y")
            .build();

    ReducedModel r = Fp16Converter.convert(model, true, Set.of());

    assertThat(r.nodes().get(0).precision()).isEqualTo(Precision.FP32);
    assertThat(r.nodes().get(0).reason()).contains("Range");
    assertThat(initializer(r.model(), "limit").getDataType()).isEqualTo(DataType.FLOAT_VALUE);
    NodeProto constant =
        r.model().getGraph().getNodeList().stream()
            .filter(n -> n.getOpType().equals("Constant"))
            .findFirst()
            .orElseThrow();
    assertThat(constant.getAttribute(0).getName()).isEqualTo("value");
    assertThat(constant.getAttribute(0).getT().getDataType()).isEqualTo(DataType.FLOAT16_VALUE);
    Map<String, float[]> inputs = Map.of("x", new float[] {1, 2, 3, 4});
    assertThat(OrtRunner.run(r.model(), inputs).get("y").values())
        .containsExactly(0.5, 1.5, 2.5, 3.5);
  }

  @Test
  void simulate_roundsLikeTheFp16Model_andStaysFp32() {
    ModelProto fp32 = mlp();
    ModelProto simulated = Fp16Converter.simulate(fp32, Set.of());

    assertThat(initializer(simulated, "w").getDataType()).isEqualTo(DataType.FLOAT_VALUE);
    assertThat(elemType(simulated.getGraph().getOutputList(), "y")).isEqualTo(DataType.FLOAT_VALUE);
    Map<String, float[]> inputs = OrtRunner.randomInputs(fp32, 6);
    double[] exact = OrtRunner.run(fp32, inputs).get("y").values();
    double[] sim = OrtRunner.run(simulated, inputs).get("y").values();
    double[] fp16 =
        OrtRunner.run(Fp16Converter.convert(fp32, true, Set.of()).model(), inputs)
            .get("y")
            .values();
    assertThat(OrtRunner.maxAbsDiff(exact, sim)).isGreaterThan(0).isLessThan(1e-2);
    // ONNX Runtime's CPU provider runs the fp16 model's ops in fp32 between Casts it inserts, and
    // drops Cast pairs it considers redundant, so it rounds less often than the simulation (and
    // than a GPU would): the two agree to within two fp16 steps of each value.
    for (int i = 0; i < sim.length; i++) {
      double step = 2 * Math.max(Math.ulp((float) sim[i]) * 8192, 0x1p-24);
      assertThat(Math.abs(fp16[i] - sim[i])).as("element %d", i).isLessThanOrEqualTo(step);
    }
    for (double v : sim) {
      assertThat((double) Binary16.round((float) v)).isEqualTo(v);
    }
  }

  @Test
  void convert_keepsControlFlowFp32_andHandsItsSubgraphsFp32Values() {
    // y = If(cond) then (h * k) else (h), where h = Relu(x * w) and k is an outer initializer.
    GraphProto thenBranch =
        GraphProto.newBuilder()
            .setName("then")
            .addNode(
                NodeProto.newBuilder()
                    .setOpType("Mul")
                    .setName("inner_mul")
                    .addInput("h")
                    .addInput("k")
                    .addOutput("t"))
            .addOutput(TestGraphs.tensorInfo("t", DataType.FLOAT_VALUE, 4))
            .build();
    GraphProto elseBranch =
        GraphProto.newBuilder()
            .setName("else")
            .addNode(
                NodeProto.newBuilder()
                    .setOpType("Identity")
                    .setName("inner_id")
                    .addInput("h")
                    .addOutput("e"))
            .addOutput(TestGraphs.tensorInfo("e", DataType.FLOAT_VALUE, 4))
            .build();
    ModelProto model =
        TestGraphs.model(17)
            .input("x", 4)
            .floats("w", new long[] {4}, 1f, 2f, 3f, 4f)
            .floats("k", new long[] {4}, 0.5f, 0.5f, 0.5f, 0.5f)
            .init(dev.kiln.compiler.ir.Tensors.ofLongs("zero", new long[0], new long[] {0}))
            .node("Mul", List.of("x", "w"), List.of("m"))
            .node("Relu", List.of("m"), List.of("h"))
            .node("ReduceSum", List.of("h"), List.of("s"), TestGraphs.attr("keepdims", 0L))
            .node("Greater", List.of("s", "zero_f"), List.of("cond"))
            .node(
                "If",
                List.of("cond"),
                List.of("y"),
                TestGraphs.graph("then_branch", thenBranch),
                TestGraphs.graph("else_branch", elseBranch))
            .output("y")
            .floats("zero_f", new long[0], 0f)
            .build();

    ReducedModel r = Fp16Converter.convert(model, true, Set.of());

    assertThat(r.nodes().get(4).precision()).isEqualTo(Precision.FP32);
    assertThat(r.nodes().get(4).reason()).contains("subgraphs");
    assertThat(initializer(r.model(), "k").getDataType()).isEqualTo(DataType.FLOAT_VALUE);
    NodeProto ifNode =
        r.model().getGraph().getNodeList().stream()
            .filter(n -> n.getOpType().equals("If"))
            .findFirst()
            .orElseThrow();
    assertThat(ifNode.getAttribute(0).getG().getNode(0).getInput(0))
        .as("the then branch reads an fp32 copy of the fp16 value h")
        .isEqualTo("h_fp32");
    Map<String, float[]> inputs = Map.of("x", new float[] {1, -1, 0.25f, 2});
    assertThat(OrtRunner.run(r.model(), inputs).get("y").values())
        .containsExactly(0.5, 0, 0.375, 4);
  }

  private static ModelProto withoutAttr(ModelProto m, String name) {
    var b = m.toBuilder();
    for (var node : b.getGraphBuilder().getNodeBuilderList()) {
      for (int i = node.getAttributeCount() - 1; i >= 0; i--) {
        if (node.getAttribute(i).getName().equals(name)) {
          node.removeAttribute(i);
        }
      }
    }
    return b.build();
  }
}
