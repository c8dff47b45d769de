package dev.kiln.cloud.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.capture.CaptureRecord;
import dev.kiln.link.protocol.capture.CaptureTensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class CaptureRowTest {
  @Test
  void parse_keepsTheWireTensors_andDerivesWhatOfDerives() throws Exception {
    CaptureRecord r =
        new CaptureRecord(
            1,
            "id-1",
            "dev-1",
            "cnn",
            "1.0.0",
            "int8",
            1_767_225_600_123L,
            2.5,
            List.of(CaptureTensor.ofFloats("input", new long[] {1, 3}, new float[] {1, -2, 3})),
            List.of(CaptureTensor.ofFloats("y", new long[] {1, 3}, new float[] {0.1f, 0.7f, 0.2f})),
            true,
            false,
            "req-9");
    CaptureRow parsed = CaptureRow.parse(ProtocolJson.write(r));
    CaptureRow built = CaptureRow.of(r);

    assertThat(parsed.record().id()).isEqualTo("id-1");
    assertThat(parsed.record().deviceId()).isEqualTo("dev-1");
    assertThat(parsed.record().requestId()).isEqualTo("req-9");
    assertThat(parsed.record().timestampMs()).isEqualTo(r.timestampMs());
    assertThat(parsed.record().shadow()).isTrue();
    assertThat(parsed.outputTop()).isEqualTo(built.outputTop()).isEqualTo(1);
    assertThat(parsed.outputMax()).isEqualTo(built.outputMax());
    assertThat(parsed.outputFirst()).isEqualTo(built.outputFirst());
    var tensors = new TypeReference<List<CaptureTensor>>() {};
    List<CaptureTensor> in = ProtocolJson.mapper().readValue(parsed.inputsJson(), tensors);
    assertThat(in.get(0).toDoubles()).containsExactly(1, -2, 3);
    assertThat(ProtocolJson.mapper().readTree(parsed.outputsJson()))
        .isEqualTo(ProtocolJson.mapper().readTree(built.outputsJson()));
  }

  @Test
  void parse_recordWithoutTensors_storesEmptyLists() {
    CaptureRow row =
        CaptureRow.parse(
            "{\"schema\":1,\"id\":\"a\",\"deviceId\":\"d\",\"model\":\"m\",\"timestampMs\":1}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(row.inputsJson()).isEqualTo("[]");
    assertThat(row.outputsJson()).isEqualTo("[]");
    assertThat(row.outputTop()).isNull();
  }
}
