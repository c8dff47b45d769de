package dev.kiln.compiler.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.artifact.Manifest;
import dev.kiln.compiler.accuracy.AccuracyGate;
import dev.kiln.compiler.accuracy.GateResult;
import dev.kiln.compiler.accuracy.GateThresholds;
import dev.kiln.compiler.ort.HostTensor;
import dev.kiln.compiler.quant.NodePrecision;
import dev.kiln.compiler.quant.Precision;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuantizationManifestTest {

  @Test
  void opTable_countsNodesByOpTypeAndPrecision() {
    List<Manifest.OpPrecision> ops =
        QuantizationManifest.ops(
            List.of(
                new NodePrecision("c1", "Conv", Precision.INT8, "int8"),
                new NodePrecision("c2", "Conv", Precision.INT8, "int8"),
                new NodePrecision("c3", "Conv", Precision.FP32, "sensitivity"),
                new NodePrecision("s", "Softmax", Precision.FP32, "no int8 kernel")));

    assertThat(ops)
        .containsExactly(
            new Manifest.OpPrecision("Conv", Map.of("fp32", 1, "int8", 2)),
            new Manifest.OpPrecision("Softmax", Map.of("fp32", 1)));
  }

  @Test
  void gate_capsInfiniteSqnr_soTheManifestStaysValidJson() {
    Map<String, HostTensor> out =
        Map.of("y", HostTensor.ofFloats(new long[] {1, 2}, new float[] {1, 2}));
    GateResult identical =
        new AccuracyGate(GateThresholds.DEFAULTS).judge(List.of(out), List.of(out));

    Manifest.Gate g = QuantizationManifest.gate(identical);

    assertThat(g.sqnrDb()).isEqualTo(QuantizationManifest.SQNR_CAP_DB);
    assertThat(g.top1Agreement()).isEqualTo(1.0);
    assertThat(g.minTop1Agreement()).isEqualTo(0.99);
    assertThat(g.passed()).isTrue();
  }
}
