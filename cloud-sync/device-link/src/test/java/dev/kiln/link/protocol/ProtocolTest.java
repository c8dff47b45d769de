package dev.kiln.link.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.link.LinkErrorCode;
import dev.kiln.link.LinkException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProtocolTest {
  @Test
  void topics_buildAndParseTheV1Tree() {
    assertThat(Topics.capture("dev-1")).isEqualTo("kiln/v1/devices/dev-1/capture");
    assertThat(Topics.shared(Topics.INGEST_GROUP, Topics.allDevices(Topics.Kind.CAPTURE)))
        .isEqualTo("$share/kiln-ingest/kiln/v1/devices/+/capture");
    assertThat(Topics.parse("kiln/v1/devices/dev-1/commands/deploy"))
        .contains(new Topics.Address("dev-1", Topics.Kind.COMMANDS, "deploy"));
    assertThat(Topics.parse("kiln/v1/devices/dev-1/status"))
        .contains(new Topics.Address("dev-1", Topics.Kind.STATUS, ""));
    assertThat(Topics.parse("other/topic")).isEmpty();
  }

  @Test
  void deviceId_withTopicSyntax_isRejectedWithTheRule() {
    for (String bad : new String[] {"a/b", "a+", "#", "", "$sys"}) {
      assertThatThrownBy(() -> Topics.status(bad))
          .isInstanceOf(LinkException.class)
          .hasMessageContaining("A-Z a-z 0-9");
    }
  }

  @Test
  void captureBatch_roundTrips() {
    List<byte[]> records =
        List.of(
            "{\"a\":1}".getBytes(StandardCharsets.UTF_8),
            "{\"b\":2}".getBytes(StandardCharsets.UTF_8));
    List<byte[]> back = CaptureBatchCodec.decode(CaptureBatchCodec.encode(records));
    assertThat(back).hasSize(2);
    assertThat(new String(back.get(1), StandardCharsets.UTF_8)).isEqualTo("{\"b\":2}");
  }

  @Test
  void captureBatch_notGzip_failsWithProtocolCode() {
    assertThatThrownBy(() -> CaptureBatchCodec.decode(new byte[] {1, 2, 3}))
        .isInstanceOf(LinkException.class)
        .extracting(e -> ((LinkException) e).code())
        .isEqualTo(LinkErrorCode.PROTOCOL_INVALID);
  }

  @Test
  void status_ignoresUnknownFields_forForwardCompatibility() {
    String json =
        "{\"schema\":1,\"deviceId\":\"d\",\"state\":\"ONLINE\",\"connectedAt\":5,\"ts\":5,\"future\":true}";
    DeviceStatus s = ProtocolJson.read(json.getBytes(StandardCharsets.UTF_8), DeviceStatus.class);
    assertThat(s.state()).isEqualTo(DeviceStatus.State.ONLINE);
  }
}
