package dev.kiln.bench.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.compiler.ort.HostTensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Batches for the ceiling are the one-row sample repeated, row after row. */
class BatchCeilingTest {
  @Test
  void oneRowIsRepeatedAlongTheFirstDimension() {
    HostTensor row = HostTensor.ofFloats(new long[] {1, 3}, new float[] {1, 2, 3});
    HostTensor batch = BatchCeiling.stacked(Map.of("x", row), 3).get("x");
    assertThat(batch.shape()).containsExactly(3, 3);
    assertThat((float[]) batch.values()).containsExactly(1, 2, 3, 1, 2, 3, 1, 2, 3);
  }

  @Test
  void anInputThatIsNotOneFloatRow_isRefusedByName() {
    HostTensor two = HostTensor.ofFloats(new long[] {2, 1}, new float[] {1, 2});
    HostTensor ids = HostTensor.ofLongs(new long[] {1, 2}, new long[] {7, 8});
    assertThatThrownBy(() -> BatchCeiling.stacked(Map.of("pair", two), 4))
        .hasMessageContaining("input pair");
    assertThatThrownBy(() -> BatchCeiling.stacked(Map.of("ids", ids), 4))
        .hasMessageContaining("input ids");
  }
}
