package dev.kiln.link.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.link.error.LinkErrorCode;
import dev.kiln.link.error.LinkException;
import dev.kiln.link.protocol.capture.CaptureBatchCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProtocolTest {
  @Test
  void topics_buildAndParseTheV1Tree() {
    assertThat(Topics.capture("dev-1")).isEqualTo("kiln/v1/devices/dev-1/capture");
    assertThat(Topics.shared(Topics.INGEST_GROUP, Topics.allDevices(TopicKind.CAPTURE)))
        .isEqualTo("$share/kiln-ingest/kiln/v1/devices/+/capture");
    assertThat(Topic.parse("kiln/v1/devices/dev-1/commands/deploy"))
        .contains(new Topic(TopicKind.COMMANDS, "dev-1", "deploy"));
    assertThat(Topic.parse("kiln/v1/devices/dev-1/status"))
        .contains(new Topic(TopicKind.STATUS, "dev-1", ""));
    assertThat(Topic.parse("other/topic")).isEmpty();
  }

  @Test
  void topic_parsesEveryKindItsBuilderMakes() {
    assertThat(Topic.parse(Topics.info("d1"))).contains(new Topic(TopicKind.INFO, "d1", ""));
    assertThat(Topic.parse(Topics.heartbeat("d1")))
        .contains(new Topic(TopicKind.HEARTBEAT, "d1", ""));
    assertThat(Topic.parse(Topics.capture("d1"))).contains(new Topic(TopicKind.CAPTURE, "d1", ""));
    assertThat(Topic.parse(Topics.replies("d1"))).contains(new Topic(TopicKind.REPLIES, "d1", ""));
    assertThat(Topic.parse(Topics.artifactChunks("d1", "ab12")))
        .contains(new Topic(TopicKind.ARTIFACT_CHUNKS, "d1", "ab12"));
    assertThat(Topic.parse(Topics.artifactGet("ab12")))
        .contains(new Topic(TopicKind.ARTIFACT_GET, null, "ab12"));
    assertThat(Topic.parse(Topics.driftAlert("mlp")))
        .contains(new Topic(TopicKind.DRIFT_ALERT, null, "mlp"));
    assertThat(Topic.parse(Topics.driftAlert("mlp") + "/extra")).isEmpty();
  }

  @Test
  void topic_refusesWhatIsNotQuiteTheTree() {
    assertThat(Topic.parse("kiln/v1/devices/d1/commands")).isEmpty();
    assertThat(Topic.parse("kiln/v1/devices/d1/status/extra")).isEmpty();
    assertThat(Topic.parse("kiln/v1/devices/d1/unknown")).isEmpty();
    assertThat(Topic.parse("kiln/v1/devices/$bad/status")).isEmpty();
    assertThat(Topic.parse("kiln/v1/artifacts/ab12/put")).isEmpty();
    assertThat(Topic.parse("kiln/v1/artifacts/ab12/get/more")).isEmpty();
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
