package dev.kiln.compiler.passes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.compiler.ir.OrtRunner;
import dev.kiln.compiler.ir.TestGraphs;
import dev.kiln.compiler.ir.proto.GraphProto;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.NodeProto;
import dev.kiln.compiler.ir.proto.TensorProto;
import java.util.List;
import org.junit.jupiter.api.Test;

class UnusedInitializerRemovalTest {
  private final UnusedInitializerRemoval pass = new UnusedInitializerRemoval();

  private static List<String> initializers(ModelProto.Builder m) {
    return m.getGraph().getInitializerList().stream().map(TensorProto::getName).toList();
  }

  @Test
  void unreadInitializers_areDropped_readOnesKept() {
    GraphProto body =
        GraphProto.newBuilder()
            .setName("body")
            .addNode(
                NodeProto.newBuilder()
                    .setOpType("Add")
                    .addInput("x")
                    .addInput("inner")
                    .addOutput("t"))
            .addOutput(TestGraphs.tensorInfo("t", 1, 3))
            .build();
    ModelProto before =
        TestGraphs.model(17)
            .input("x", 3)
            .input("override", 3)
            .floats("used", new long[] {3}, 1, 2, 3)
            .floats("inner", new long[] {3}, 4, 5, 6)
            .floats("override", new long[] {3}, 7, 8, 9)
            .floats("as_output", new long[] {3}, 0, 0, 0)
            .floats("unused", new long[] {2, 2}, 1, 1, 1, 1)
            .node("Add", List.of("x", "used"), List.of("a"))
            .node("Add", List.of("a", "override"), List.of("y"))
            .node(
                "If",
                List.of("c"),
                List.of("z"),
                TestGraphs.graph("then_branch", body),
                TestGraphs.graph("else_branch", body))
            .output("y")
            .output("as_output")
            .valueInfo("unused", 2, 2)
            .build();
    ModelProto.Builder after = before.toBuilder();
    PassResult r = pass.apply(after);
    assertThat(initializers(after)).containsExactly("used", "inner", "override", "as_output");
    assertThat(after.getGraph().getValueInfoList()).isEmpty();
    assertThat(r.detail()).isEqualTo("removed 1 unused initializer(s), 4 elements");
  }

  @Test
  void modelStillRuns_afterRemoval() {
    ModelProto before =
        TestGraphs.model(17)
            .input("x", 3)
            .floats("used", new long[] {3}, 1, 2, 3)
            .floats("unused", new long[] {3}, 1, 2, 3)
            .node("Mul", List.of("x", "used"), List.of("y"))
            .output("y")
            .build();
    ModelProto.Builder after = before.toBuilder();
    assertThat(pass.apply(after).changed()).isTrue();
    assertThat(initializers(after)).containsExactly("used");
    OrtRunner.assertSameOutputs(before, after.build(), 2);
    assertThat(pass.apply(after).changed()).isFalse();
  }
}
