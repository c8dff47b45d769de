package dev.kiln.compiler.passes;

import static dev.kiln.compiler.ir.TestGraphs.ops;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.kiln.compiler.ir.OrtRunner;
import dev.kiln.compiler.ir.TestGraphs;
import dev.kiln.compiler.ir.proto.GraphProto;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.NodeProto;
import dev.kiln.compiler.ir.proto.TensorProto;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdentityEliminationTest {
  private final IdentityElimination pass = new IdentityElimination();

  private ModelProto.Builder runPass(ModelProto before) {
    ModelProto.Builder after = before.toBuilder();
    pass.apply(after);
    OrtRunner.assertSameOutputs(before, after.build(), 7);
    return after;
  }

  @Test
  void identity_isRemoved_andConsumersReadItsInput() {
    ModelProto before =
        TestGraphs.model(17)
            .input("x", 2, 3)
            .node("Relu", List.of("x"), List.of("a"))
            .node("Identity", List.of("a"), List.of("b"))
            .node("Sigmoid", List.of("b"), List.of("y"))
            .output("y")
            .valueInfo("b", 2, 3)
            .build();
    assertThat(ops(before)).containsExactly("Relu", "Identity", "Sigmoid");
    ModelProto.Builder after = runPass(before);
    assertThat(ops(after)).containsExactly("Relu", "Sigmoid");
    assertThat(after.getGraph().getNode(1).getInputList()).containsExactly("a");
    assertThat(after.getGraph().getValueInfoList()).isEmpty();
  }

  @Test
  void identityIntoGraphOutput_renamesProducer_soOutputNameSurvives() {
    ModelProto before =
        TestGraphs.model(17)
            .input("x", 2, 3)
            .node("Relu", List.of("x"), List.of("a"))
            .node("Sigmoid", List.of("a"), List.of("z"))
            .node("Identity", List.of("a"), List.of("y"))
            .output("y")
            .output("z")
            .build();
    ModelProto.Builder after = runPass(before);
    assertThat(ops(after)).containsExactly("Relu", "Sigmoid");
    assertThat(after.getGraph().getNode(0).getOutputList()).containsExactly("y");
    assertThat(after.getGraph().getNode(1).getInputList()).containsExactly("y");
  }

  @Test
  void identityChain_intoGraphOutput_collapses() {
    ModelProto before =
        TestGraphs.model(17)
            .input("x", 4)
            .node("Relu", List.of("x"), List.of("a"))
            .node("Identity", List.of("a"), List.of("b"))
            .node("Identity", List.of("b"), List.of("y"))
            .output("y")
            .build();
    ModelProto.Builder after = runPass(before);
    assertThat(ops(after)).containsExactly("Relu");
    assertThat(after.getGraph().getNode(0).getOutputList()).containsExactly("y");
  }

  @Test
  void identityFromGraphInputToGraphOutput_isKept() {
    ModelProto before =
        TestGraphs.model(17)
            .input("x", 4)
            .node("Identity", List.of("x"), List.of("y"))
            .output("y")
            .build();
    ModelProto.Builder after = runPass(before);
    assertThat(ops(after)).containsExactly("Identity");
  }

  @Test
  void identityBetweenTwoGraphOutputs_isKept() {
    ModelProto before =
        TestGraphs.model(17)
            .input("x", 4)
            .node("Relu", List.of("x"), List.of("a"))
            .node("Identity", List.of("a"), List.of("y"))
            .output("a")
            .output("y")
            .build();
    assertThat(pass.apply(before.toBuilder()).changed()).isFalse();
  }

  @Test
  void inferenceDropout_isRemoved_butDropoutWithUsedMaskIsKept() {
    ModelProto before =
        TestGraphs.model(13)
            .input("x", 2, 4)
            .floats("ratio", new long[] {}, 0.5f)
            .node("Dropout", List.of("x", "ratio"), List.of("d"))
            .node("Relu", List.of("d"), List.of("y"))
            .node("Dropout", List.of("y", "ratio"), List.of("e", "mask"))
            .node("Cast", List.of("mask"), List.of("z"), TestGraphs.attr("to", 1L))
            .output("y")
            .output("z")
            .build();
    var result = pass.apply(before.toBuilder());
    ModelProto.Builder after = runPass(before);
    assertThat(ops(after)).containsExactly("Relu", "Dropout", "Cast");
    assertThat(after.getGraph().getNode(0).getInputList()).containsExactly("x");
    assertThat(result.detail()).contains("1 inference-time Dropout");
  }

  @Test
  void dropoutInTrainingMode_isKept() {
    TensorProto on =
        TensorProto.newBuilder()
            .setName("train")
            .setDataType(TensorProto.DataType.BOOL_VALUE)
            .setRawData(ByteString.copyFrom(new byte[] {1}))
            .build();
    ModelProto before =
        TestGraphs.model(13)
            .input("x", 4)
            .init(on)
            .node("Dropout", List.of("x", "", "train"), List.of("y"))
            .output("y")
            .build();
    assertThat(pass.apply(before.toBuilder()).changed()).isFalse();
  }

  @Test
  void identityReadInsideSubgraph_isRewiredThere() {
    TensorProto cond =
        TensorProto.newBuilder()
            .setName("cond")
            .setDataType(TensorProto.DataType.BOOL_VALUE)
            .setRawData(ByteString.copyFrom(new byte[] {1}))
            .build();
    GraphProto thenBranch =
        GraphProto.newBuilder()
            .setName("then")
            .addNode(NodeProto.newBuilder().setOpType("Relu").addInput("b").addOutput("t"))
            .addOutput(TestGraphs.tensorInfo("t", 1, 2, 3))
            .build();
    GraphProto elseBranch =
        GraphProto.newBuilder()
            .setName("else")
            .addNode(NodeProto.newBuilder().setOpType("Sigmoid").addInput("b").addOutput("e"))
            .addOutput(TestGraphs.tensorInfo("e", 1, 2, 3))
            .build();
    ModelProto before =
        TestGraphs.model(17)
            .input("x", 2, 3)
            .init(cond)
            .node("Neg", List.of("x"), List.of("a"))
            .node("Identity", List.of("a"), List.of("b"))
            .node(
                "If",
                List.of("cond"),
                List.of("y"),
                TestGraphs.graph("then_branch", thenBranch),
                TestGraphs.graph("else_branch", elseBranch))
            .output("y")
            .build();
    ModelProto.Builder after = runPass(before);
    assertThat(ops(after)).containsExactly("Neg", "If");
    GraphProto rewired = after.getGraph().getNode(1).getAttribute(0).getG();
    assertThat(rewired.getNode(0).getInputList()).containsExactly("a");
  }
}
