package dev.kiln.compiler.passes;

import static dev.kiln.compiler.ir.TestGraphs.ops;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.compiler.ir.OrtRunner;
import dev.kiln.compiler.ir.TestGraphs;
import dev.kiln.compiler.ir.proto.GraphProto;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.NodeProto;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeadNodeEliminationTest {
  private final DeadNodeElimination pass = new DeadNodeElimination();

  @Test
  void nodesNotReachingAnOutput_areRemoved() {
    ModelProto before =
        TestGraphs.model(17)
            .input("x", 2, 3)
            .node("Relu", List.of("x"), List.of("a"))
            .node("Exp", List.of("x"), List.of("dead1"))
            .node("Neg", List.of("dead1"), List.of("dead2"))
            .node("Sigmoid", List.of("a"), List.of("y"))
            .node("Tanh", List.of("a"), List.of("dead3"))
            .output("y")
            .build();
    ModelProto.Builder after = before.toBuilder();
    PassResult r = pass.apply(after);
    assertThat(ops(after)).containsExactly("Relu", "Sigmoid");
    assertThat(r)
        .isEqualTo(new PassResult("DeadNodeElimination", true, 5, 2, "removed 3 dead node(s)"));
    OrtRunner.assertSameOutputs(before, after.build(), 3);
  }

  @Test
  void nodeReadOnlyInsideASubgraph_staysAlive() {
    GraphProto body =
        GraphProto.newBuilder()
            .setName("body")
            .addNode(NodeProto.newBuilder().setOpType("Relu").addInput("outer").addOutput("t"))
            .addOutput(TestGraphs.tensorInfo("t", 1, 2))
            .build();
    ModelProto before =
        TestGraphs.model(17)
            .input("x", 2)
            .input("cond")
            .node("Neg", List.of("x"), List.of("outer"))
            .node(
                "If",
                List.of("cond"),
                List.of("y"),
                TestGraphs.graph("then_branch", body),
                TestGraphs.graph("else_branch", body))
            .output("y")
            .build();
    ModelProto.Builder after = before.toBuilder();
    assertThat(pass.apply(after).changed()).isFalse();
    assertThat(ops(after)).containsExactly("Neg", "If");
  }

  @Test
  void multiOutputNode_staysWhenAnyOutputIsUsed() {
    ModelProto before =
        TestGraphs.model(17)
            .input("x", 4)
            .longs("split", new long[] {2}, 2, 2)
            .node("Split", List.of("x", "split"), List.of("lo", "hi"))
            .node("Relu", List.of("hi"), List.of("y"))
            .output("y")
            .build();
    ModelProto.Builder after = before.toBuilder();
    assertThat(pass.apply(after).changed()).isFalse();
    OrtRunner.assertSameOutputs(before, after.build(), 4);
  }
}
