package dev.kiln.fleet.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.link.protocol.Topics;
import org.junit.jupiter.api.Test;

class SharedConnectionTest {
  @Test
  void deviceOf_findsTheDeviceOfCommandAndChunkTopics() {
    assertThat(SharedConnection.deviceOf(Topics.command("sim-7", "deploy"))).isEqualTo("sim-7");
    assertThat(SharedConnection.deviceOf(Topics.artifactChunks("sim-12", "ab12")))
        .isEqualTo("sim-12");
  }

  @Test
  void deviceOf_isNullForTopicsOutsideTheDeviceTree() {
    assertThat(SharedConnection.deviceOf(Topics.artifactGet("ab12"))).isNull();
    assertThat(SharedConnection.deviceOf(Topics.DEVICES + "/")).isNull();
    assertThat(SharedConnection.deviceOf(Topics.DEVICES + "/sim-1")).isNull();
  }
}
