package dev.kiln.agent.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.runtime.Tensor;
import dev.kiln.agent.serving.ServedInference;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.capture.CaptureRecord;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CaptureRecordsTest {
  private static ServedInference served(String attributes) {
    return new ServedInference(
        "req-1",
        "mlp",
        "1",
        "1",
        false,
        Map.of("input", Tensor.ofFloats(new long[] {1, 2}, new float[] {1, 2})),
        Map.of("output", Tensor.ofFloats(new long[] {1, 1}, new float[] {3})),
        1500,
        null,
        Instant.now(),
        attributes);
  }

  @Test
  void customAttributes_travelInTheLinkRecord_andSurviveItsJson() {
    CaptureRecord record = CaptureRecords.toLink(served("trace=7"));
    assertThat(record.requestId()).isEqualTo("req-1");
    assertThat(record.customAttributes()).isEqualTo("trace=7");
    CaptureRecord back = ProtocolJson.read(ProtocolJson.write(record), CaptureRecord.class);
    assertThat(back.customAttributes()).isEqualTo("trace=7");
    assertThat(back.requestId()).isEqualTo("req-1");
    assertThat(CaptureRecords.toLink(served(null)).customAttributes()).isNull();
  }
}
