package dev.kiln.agent.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Manifest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineWiringTest {
  private static final Tensor A = Tensor.ofFloats(new long[] {1}, new float[] {1});
  private static final Tensor B = Tensor.ofFloats(new long[] {1}, new float[] {2});

  private static Manifest.IoSignature inputs(String... names) {
    return new Manifest.IoSignature(
        java.util.Arrays.stream(names)
            .map(n -> new Manifest.TensorSpec(n, "float32", List.of(-1L)))
            .toList(),
        List.of());
  }

  private static Map<String, Tensor> outputs() {
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("logits", A);
    m.put("features", B);
    return m;
  }

  @Test
  void connect_byName_whenNextStepInputsAreAmongOutputs() {
    assertThat(PipelineWiring.connect("s", inputs("features"), outputs()))
        .containsExactly(Map.entry("features", B));
  }

  @Test
  void connect_byPosition_otherwise() {
    assertThat(PipelineWiring.connect("s", inputs("x", "y"), outputs()))
        .containsExactly(Map.entry("x", A), Map.entry("y", B));
  }

  @Test
  void connect_fails_whenPreviousStepProducedTooFewOutputs() {
    assertThatThrownBy(() -> PipelineWiring.connect("s", inputs("x", "y", "z"), outputs()))
        .hasMessageContaining("pipeline step 's'");
  }
}
