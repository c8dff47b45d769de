package dev.kiln.compiler.passes;

import static dev.kiln.compiler.ir.TestGraphs.ops;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.compiler.ir.OrtRunner;
import dev.kiln.compiler.ir.Tensors;
import dev.kiln.compiler.ir.TestGraphs;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.TensorProto;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConstantFoldingTest {
  private final ConstantFolding pass = new ConstantFolding();

  private ModelProto.Builder fold(ModelProto before) {
    ModelProto.Builder after = before.toBuilder();
    pass.apply(after);
    OrtRunner.assertSameOutputs(before, after.build(), 11);
    return after;
  }

  private static TensorProto initializer(ModelProto.Builder m, String name) {
    return m.getGraph().getInitializerList().stream()
        .filter(t -> t.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void constantNodesAndArithmetic_becomeOneInitializer() {
    ModelProto before =
        TestGraphs.model(13)
            .input("x", 2, 3)
            .node(
                "Constant",
                List.of(),
                List.of("half"),
                TestGraphs.tensor(
                    "value", Tensors.ofFloats("", new long[] {3}, new float[] {0.5f, 1.5f, -2f})))
            .node("Constant", List.of(), List.of("two"), TestGraphs.attr("value_float", 2f))
            .node("Mul", List.of("half", "two"), List.of("bias"))
            .node("Add", List.of("x", "bias"), List.of("y"))
            .output("y")
            .build();
    ModelProto.Builder after = fold(before);
    assertThat(ops(after)).containsExactly("Add");
    assertThat(Tensors.toFloats(initializer(after, "bias"))).containsExactly(1f, 3f, -4f);
  }

  @Test
  void shapeArithmeticChain_foldsIntoStaticReshape_opset13() {
    // Shape(x) -> Gather(0) -> Unsqueeze(axes input) -> Concat with [-1] -> Reshape(x, .)
    ModelProto before =
        TestGraphs.model(13)
            .input("x", 2, 3, 4)
            .longs("zero", new long[] {}, 0)
            .longs("axes", new long[] {1}, 0)
            .longs("minus_one", new long[] {1}, -1)
            .node("Shape", List.of("x"), List.of("s"))
            .node("Gather", List.of("s", "zero"), List.of("n"))
            .node("Unsqueeze", List.of("n", "axes"), List.of("n1"))
            .node(
                "Concat", List.of("n1", "minus_one"), List.of("shape"), TestGraphs.attr("axis", 0L))
            .node("Reshape", List.of("x", "shape"), List.of("y"))
            .output("y")
            .build();
    ModelProto.Builder after = fold(before);
    assertThat(ops(after)).containsExactly("Reshape");
    assertThat(Tensors.toLongs(initializer(after, "shape"))).containsExactly(2, -1);
  }

  @Test
  void unsqueezeAndSqueeze_useAttributeAxes_beforeOpset13() {
    ModelProto before =
        TestGraphs.model(11)
            .input("x", 3, 2)
            .floats("v", new long[] {3}, 1f, 2f, 3f)
            .node("Unsqueeze", List.of("v"), List.of("v2"), TestGraphs.ints("axes", 2, 0))
            .node("Squeeze", List.of("v2"), List.of("v3"), TestGraphs.ints("axes", 0))
            .node("Add", List.of("x", "v3"), List.of("y"))
            .output("y")
            .build();
    ModelProto.Builder after = fold(before);
    assertThat(ops(after)).containsExactly("Add");
    assertThat(Tensors.dims(initializer(after, "v3"))).containsExactly(3, 1);
  }

  @Test
  void transposedWeights_andBroadcastArithmetic_fold() {
    ModelProto before =
        TestGraphs.model(17)
            .input("x", 2, 4)
            .random("w", 3, false, 3, 4)
            .floats("col", new long[] {3, 1}, 1f, 2f, 3f)
            .floats("row", new long[] {4}, 0.5f, -1f, 2f, 4f)
            .node("Transpose", List.of("w"), List.of("wt"), TestGraphs.ints("perm", 1, 0))
            .node("Sub", List.of("row", "col"), List.of("grid"))
            .node("Div", List.of("grid", "col"), List.of("scaled"))
            .node("Transpose", List.of("scaled"), List.of("st"))
            .node("Mul", List.of("wt", "st"), List.of("w2"))
            .node("MatMul", List.of("x", "w2"), List.of("y"))
            .output("y")
            .build();
    ModelProto.Builder after = fold(before);
    assertThat(ops(after)).containsExactly("MatMul");
    assertThat(Tensors.dims(initializer(after, "w2"))).containsExactly(4, 3);
  }

  @Test
  void int64ArithmeticCastAndGather_fold() {
    ModelProto before =
        TestGraphs.model(17)
            .input("x", 2, 3)
            .longs("a", new long[] {3}, 7, -7, 9)
            .longs("b", new long[] {}, 2)
            .floats("table", new long[] {2, 3}, 1f, 2f, 3f, 4f, 5f, 6f)
            .longs("idx", new long[] {3}, -1, 0, 1)
            .floats("f", new long[] {3}, 2.9f, -2.9f, 0.5f)
            .node("Div", List.of("a", "b"), List.of("q")) // truncates: [3, -3, 4]
            .node("Sub", List.of("q", "b"), List.of("r"))
            .node("Cast", List.of("r"), List.of("rf"), TestGraphs.attr("to", 1L))
            .node("Gather", List.of("table", "idx"), List.of("g"), TestGraphs.attr("axis", 1L))
            .node("Cast", List.of("f"), List.of("fi"), TestGraphs.attr("to", 7L))
            .node("Cast", List.of("fi"), List.of("ff"), TestGraphs.attr("to", 1L))
            .node("Concat", List.of("g", "g"), List.of("gg"), TestGraphs.attr("axis", -1L))
            .node("Add", List.of("x", "rf"), List.of("y"))
            .node("Mul", List.of("x", "ff"), List.of("z0"))
            .node("Concat", List.of("z0", "z0"), List.of("zz"), TestGraphs.attr("axis", -1L))
            .node("Add", List.of("zz", "gg"), List.of("z"))
            .output("y")
            .output("z")
            .build();
    ModelProto.Builder after = fold(before);
    assertThat(ops(after)).containsExactly("Add", "Mul", "Concat", "Add");
    assertThat(Tensors.toFloats(initializer(after, "rf"))).containsExactly(1f, -5f, 2f);
    assertThat(Tensors.toFloats(initializer(after, "ff"))).containsExactly(2f, -2f, 0f);
    assertThat(Tensors.toFloats(initializer(after, "gg")))
        .containsExactly(3f, 1f, 2f, 3f, 1f, 2f, 6f, 4f, 5f, 6f, 4f, 5f);
  }

  @Test
  void nonConstantInputs_overridableInitializers_andGraphOutputs_areLeftAlone() {
    ModelProto before =
        TestGraphs.model(17)
            .input("x", 3)
            .input("bias", 3)
            .floats("bias", new long[] {3}, 1f, 2f, 3f)
            .floats("c", new long[] {3}, 1f, 1f, 1f)
            .node("Add", List.of("x", "c"), List.of("a"))
            .node("Mul", List.of("bias", "c"), List.of("b"))
            .node("Neg", List.of("c"), List.of("n"))
            .node("Identity", List.of("c"), List.of("k"))
            .node("Add", List.of("a", "b"), List.of("y"))
            .output("y")
            .output("k")
            .build();
    // "bias" is also a graph input, so callers may override it: Mul must stay. Neg is not a
    // folding kernel. Identity writes a graph output, which stays a node output.
    assertThat(pass.apply(before.toBuilder()).changed()).isFalse();
  }

  @Test
  void shapeOfStaticInitializer_folds_evenForUnreadableTypes() {
    TensorProto bools =
        TensorProto.newBuilder()
            .setName("mask")
            .setDataType(TensorProto.DataType.BOOL_VALUE)
            .addDims(2)
            .addDims(5)
            .setRawData(com.google.protobuf.ByteString.copyFrom(new byte[10]))
            .build();
    ModelProto before =
        TestGraphs.model(17)
            .input("x", 2)
            .init(bools)
            .node("Shape", List.of("mask"), List.of("s"))
            .node("Cast", List.of("s"), List.of("sf"), TestGraphs.attr("to", 1L))
            .node("Add", List.of("x", "sf"), List.of("y"))
            .output("y")
            .build();
    ModelProto.Builder after = fold(before);
    assertThat(ops(after)).containsExactly("Add");
    assertThat(Tensors.toFloats(initializer(after, "sf"))).containsExactly(2f, 5f);
  }

  @Test
  void result_reportsFoldedOps() {
    ModelProto before =
        TestGraphs.model(17)
            .input("x", 1)
            .floats("a", new long[] {1}, 1f)
            .node("Identity", List.of("a"), List.of("b"))
            .node("Add", List.of("x", "b"), List.of("y"))
            .output("y")
            .build();
    PassResult r = pass.apply(before.toBuilder());
    assertThat(r)
        .isEqualTo(new PassResult("ConstantFolding", true, 2, 1, "folded 1 nodes (1 Identity)"));
  }
}
