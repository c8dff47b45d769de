package dev.kiln.compiler.ir;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.compiler.ir.proto.GraphProto;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.NodeProto;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpHistogramTest {
  @Test
  void of_countsOpsSortedByName_andInitializers() {
    GraphProto body =
        GraphProto.newBuilder()
            .addNode(NodeProto.newBuilder().setOpType("Relu"))
            .addNode(NodeProto.newBuilder().setOpType("Relu"))
            .build();
    ModelProto model =
        TestGraphs.model(17)
            .input("x", 2)
            .random("w", 1, false, 2, 3)
            .floats("b", new long[] {3}, 1, 2, 3)
            .node("Relu", List.of("x"), List.of("r"))
            .node("MatMul", List.of("r", "w"), List.of("m"))
            .node("Add", List.of("m", "b"), List.of("a"))
            .node("Relu", List.of("a"), List.of("y"))
            .node("FusedGemm", "com.microsoft", List.of("y"), List.of("z"))
            .node("If", List.of("c"), List.of("q"), TestGraphs.graph("then_branch", body))
            .output("z")
            .build();
    OpHistogram h = OpHistogram.of(model);
    assertThat(h.ops())
        .containsExactly(
            java.util.Map.entry("Add", 1),
            java.util.Map.entry("If", 1),
            java.util.Map.entry("MatMul", 1),
            java.util.Map.entry("Relu", 2),
            java.util.Map.entry("com.microsoft::FusedGemm", 1));
    assertThat(h.nodeCount()).isEqualTo(6);
    assertThat(h.subgraphNodeCount()).isEqualTo(2);
    assertThat(h.initializerCount()).isEqualTo(2);
    assertThat(h.parameterCount()).isEqualTo(9);
  }
}
