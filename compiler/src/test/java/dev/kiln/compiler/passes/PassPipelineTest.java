package dev.kiln.compiler.passes;

import static dev.kiln.compiler.ir.TestGraphs.ops;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.compiler.ir.OrtRunner;
import dev.kiln.compiler.ir.Tensors;
import dev.kiln.compiler.ir.TestGraphs;
import dev.kiln.compiler.ir.proto.ModelProto;
import java.util.List;
import org.junit.jupiter.api.Test;

class PassPipelineTest {
  @Test
  void standard_runsPassesInDocumentedOrder() {
    assertThat(PassPipeline.standard().passes())
        .extracting(GraphPass::name)
        .containsExactly(
            "IdentityElimination",
            "ConstantFolding",
            "BatchNormIntoConv",
            "DeadNodeElimination",
            "UnusedInitializerRemoval");
  }

  /** Conv + BN whose scale comes from Constant nodes, an Identity, a dead branch. */
  private static ModelProto messyModel() {
    return TestGraphs.model(13)
        .input("x", 1, 3, 5, 5)
        .random("w", 1, false, 4, 3, 3, 3)
        .random("shift", 2, false, 4)
        .random("mean", 3, false, 4)
        .random("var", 4, true, 4)
        .random("unused", 5, false, 10)
        .node(
            "Constant",
            List.of(),
            List.of("half_scale"),
            TestGraphs.tensor(
                "value", Tensors.ofFloats("", new long[] {4}, new float[] {0.5f, 0.25f, 1f, 2f})))
        .node("Constant", List.of(), List.of("two"), TestGraphs.attr("value_float", 2f))
        .node("Mul", List.of("half_scale", "two"), List.of("scale"))
        .node("Conv", List.of("x", "w"), List.of("c"))
        .node("BatchNormalization", List.of("c", "scale", "shift", "mean", "var"), List.of("bn"))
        .node("Identity", List.of("bn"), List.of("bn_id"))
        .node("Relu", List.of("bn_id"), List.of("r"))
        .node("Exp", List.of("r"), List.of("dead"))
        .node("Identity", List.of("r"), List.of("y"))
        .output("y")
        .build();
  }

  @Test
  void run_optimizesEverything_andKeepsOutputs() {
    ModelProto before = messyModel();
    ModelProto.Builder after = before.toBuilder();
    List<PassResult> results = PassPipeline.standard().run(after);
    assertThat(ops(after)).containsExactly("Conv", "Relu");
    assertThat(after.getGraph().getNode(1).getOutputList()).containsExactly("y");
    assertThat(after.getGraph().getInitializerList())
        .extracting(t -> t.getName())
        .containsExactlyInAnyOrder("w_bn_folded", "w_bias_bn_folded");
    assertThat(results)
        .extracting(PassResult::pass)
        .containsExactly(
            "IdentityElimination",
            "ConstantFolding",
            "BatchNormIntoConv",
            "DeadNodeElimination",
            "UnusedInitializerRemoval");
    assertThat(results).allMatch(PassResult::changed);
    assertThat(results.get(0).nodesBefore()).isEqualTo(9);
    assertThat(results.get(4).nodesAfter()).isEqualTo(2);
    OrtRunner.assertSameOutputs(before, after.build(), 9);
  }

  @Test
  void run_isIdempotent() {
    ModelProto.Builder once = messyModel().toBuilder();
    PassPipeline.standard().run(once);
    ModelProto optimized = once.build();
    ModelProto.Builder twice = optimized.toBuilder();
    List<PassResult> again = PassPipeline.standard().run(twice);
    assertThat(again).noneMatch(PassResult::changed);
    assertThat(twice.build()).isEqualTo(optimized);
  }
}
