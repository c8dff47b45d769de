package dev.kiln.compiler.passes;

import static dev.kiln.compiler.ir.TestGraphs.ops;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.compiler.ir.OrtRunner;
import dev.kiln.compiler.ir.TestGraphs;
import dev.kiln.compiler.ir.proto.ModelProto;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchNormIntoConvTest {
  private final BatchNormIntoConv pass = new BatchNormIntoConv();

  /** x[1,4,6,6] -> Conv(w, [b]) -> c -> BatchNormalization -> bn -> Relu -> y. */
  private static TestGraphs convBn(boolean bias, long group) {
    List<String> convInputs = new ArrayList<>(List.of("x", "w"));
    if (bias) {
      convInputs.add("b");
    }
    return TestGraphs.model(17)
        .input("x", 1, 4, 6, 6)
        .random("w", 1, false, 6, 4 / group, 3, 3)
        .random("b", 2, false, 6)
        .random("scale", 3, true, 6)
        .random("shift", 4, false, 6)
        .random("mean", 5, false, 6)
        .random("var", 6, true, 6)
        .node(
            "Conv",
            convInputs,
            List.of("c"),
            TestGraphs.ints("pads", 1, 1, 1, 1),
            TestGraphs.attr("group", group))
        .node(
            "BatchNormalization",
            List.of("c", "scale", "shift", "mean", "var"),
            List.of("bn"),
            TestGraphs.attr("epsilon", 1e-3f))
        .node("Relu", List.of("bn"), List.of("y"))
        .output("y")
        .valueInfo("c", 1, 6, 6, 6);
  }

  private ModelProto.Builder fuse(ModelProto before) {
    ModelProto.Builder after = before.toBuilder();
    pass.apply(after);
    OrtRunner.assertSameOutputs(before, after.build(), 5);
    return after;
  }

  @Test
  void convWithBias_absorbsBatchNorm_andKeepsBnOutputName() {
    ModelProto before = convBn(true, 1).build();
    assertThat(ops(before)).containsExactly("Conv", "BatchNormalization", "Relu");
    ModelProto.Builder after = fuse(before);
    assertThat(ops(after)).containsExactly("Conv", "Relu");
    var conv = after.getGraph().getNode(0);
    assertThat(conv.getOutputList()).containsExactly("bn");
    assertThat(conv.getInputList()).containsExactly("x", "w_bn_folded", "b_bn_folded");
    assertThat(after.getGraph().getValueInfoList()).isEmpty();
  }

  @Test
  void groupedConvWithoutBias_getsNewBias() {
    ModelProto before = convBn(false, 2).build();
    ModelProto.Builder after = fuse(before);
    assertThat(ops(after)).containsExactly("Conv", "Relu");
    assertThat(after.getGraph().getNode(0).getInputCount()).isEqualTo(3);
  }

  @Test
  void convOutputReadTwice_isNotFused() {
    ModelProto before =
        convBn(true, 1).node("Sigmoid", List.of("c"), List.of("z")).output("z").build();
    assertThat(pass.apply(before.toBuilder()).changed()).isFalse();
  }

  @Test
  void batchNormWithRuntimeStatistics_isNotFused() {
    // "mean" is also a graph input: callers may feed other statistics, so it is not constant.
    ModelProto model = convBn(true, 1).input("mean", 6).build();
    assertThat(pass.apply(model.toBuilder()).changed()).isFalse();
  }

  @Test
  void sharedWeights_getSeparateFoldedCopies() {
    ModelProto before =
        convBn(true, 1)
            .node(
                "Conv", List.of("x", "w", "b"), List.of("c2"), TestGraphs.ints("pads", 1, 1, 1, 1))
            .random("scale2", 7, true, 6)
            .node(
                "BatchNormalization",
                List.of("c2", "scale2", "shift", "mean", "var"),
                List.of("y2"))
            .output("y2")
            .build();
    ModelProto.Builder after = fuse(before);
    assertThat(ops(after)).containsExactly("Conv", "Relu", "Conv");
    assertThat(after.getGraph().getNode(0).getInput(1))
        .isNotEqualTo(after.getGraph().getNode(2).getInput(1));
    assertThat(after.getGraph().getNode(2).getOutputList()).containsExactly("y2");
  }
}
