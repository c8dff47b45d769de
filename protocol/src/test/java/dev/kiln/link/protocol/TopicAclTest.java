package dev.kiln.link.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TopicAclTest {
  @Test
  void device_publishesOnlyUnderItsOwnId() {
    assertThat(TopicAcl.mayPublish("dev-a", Topics.status("dev-a"))).isTrue();
    assertThat(TopicAcl.mayPublish("dev-a", Topics.heartbeat("dev-a"))).isTrue();
    assertThat(TopicAcl.mayPublish("dev-a", Topics.capture("dev-a"))).isTrue();
    assertThat(TopicAcl.mayPublish("dev-a", Topics.info("dev-a"))).isTrue();
    assertThat(TopicAcl.mayPublish("dev-a", Topics.replies("dev-a"))).isTrue();
    assertThat(TopicAcl.mayPublish("dev-a", Topics.artifactGet("abc"))).isTrue();

    assertThat(TopicAcl.mayPublish("dev-a", Topics.status("dev-b"))).isFalse();
    assertThat(TopicAcl.mayPublish("dev-a", Topics.capture("dev-b"))).isFalse();
    assertThat(TopicAcl.mayPublish("dev-a", Topics.command("dev-a", "deploy"))).isFalse();
    assertThat(TopicAcl.mayPublish("dev-a", Topics.artifactChunks("dev-b", "abc"))).isFalse();
    assertThat(TopicAcl.mayPublish("dev-a", "kiln/v1/other")).isFalse();
  }

  @Test
  void device_readsOnlyItsOwnCommandsAndChunks() {
    assertThat(TopicAcl.maySubscribe("dev-a", Topics.commandFilter("dev-a"))).isTrue();
    assertThat(TopicAcl.maySubscribe("dev-a", Topics.artifactChunkFilter("dev-a"))).isTrue();
    assertThat(TopicAcl.maySubscribe("dev-a", Topics.command("dev-a", "deploy"))).isTrue();

    assertThat(TopicAcl.maySubscribe("dev-a", Topics.commandFilter("dev-b"))).isFalse();
    assertThat(TopicAcl.maySubscribe("dev-a", "kiln/v1/devices/+/commands/#")).isFalse();
    assertThat(TopicAcl.maySubscribe("dev-a", "kiln/v1/devices/dev-a/#")).isFalse();
    assertThat(TopicAcl.maySubscribe("dev-a", "#")).isFalse();
    assertThat(TopicAcl.maySubscribe("dev-a", Topics.status("dev-b"))).isFalse();
  }

  @Test
  void console_sendsCommandsAndChunks_andReadsWhatDevicesReport() {
    String c = TopicAcl.CONSOLE;
    assertThat(TopicAcl.mayPublish(c, Topics.command("dev-a", "deploy"))).isTrue();
    assertThat(TopicAcl.mayPublish(c, Topics.artifactChunks("dev-a", "abc"))).isTrue();
    assertThat(TopicAcl.mayPublish(c, Topics.status("dev-a"))).isFalse();
    for (TopicKind k :
        new TopicKind[] {
          TopicKind.STATUS, TopicKind.HEARTBEAT, TopicKind.REPLIES, TopicKind.INFO
        }) {
      assertThat(TopicAcl.maySubscribe(c, Topics.allDevices(k))).as(k.name()).isTrue();
    }
    assertThat(TopicAcl.maySubscribe(c, Topics.allArtifactGets())).isTrue();
    assertThat(TopicAcl.maySubscribe(c, Topics.allDevices(TopicKind.CAPTURE))).isFalse();
  }

  @Test
  void ingestor_readsCaptureStatusAndHeartbeats_sharedOrNot() {
    String i = TopicAcl.INGEST;
    String capture = Topics.allDevices(TopicKind.CAPTURE);
    assertThat(TopicAcl.maySubscribe(i, capture)).isTrue();
    assertThat(TopicAcl.maySubscribe(i, Topics.shared(Topics.INGEST_GROUP, capture))).isTrue();
    assertThat(TopicAcl.maySubscribe(i, Topics.allDevices(TopicKind.STATUS))).isTrue();
    assertThat(TopicAcl.maySubscribe(i, Topics.allDevices(TopicKind.COMMANDS))).isFalse();
    assertThat(TopicAcl.mayPublish(i, Topics.command("dev-a", "deploy"))).isFalse();
  }

  @Test
  void unknownIdentities_getNothing() {
    assertThat(TopicAcl.mayPublish(null, Topics.status("dev-a"))).isFalse();
    assertThat(TopicAcl.mayPublish("a/b", "kiln/v1/devices/a/b/status")).isFalse();
    assertThat(TopicAcl.maySubscribe("+", "kiln/v1/devices/+/commands/#")).isFalse();
    assertThat(TopicAcl.reserved("kiln-console")).isTrue();
    assertThat(TopicAcl.reserved("dev-a")).isFalse();
  }

  @Test
  void provenance_dropsForeignIdentity_otherBodyDevice_andFutureDates() {
    long now = 1_000_000_000L;
    MessageProps stamped = MessageProps.none().withUserProperty(Provenance.IDENTITY_PROPERTY, "b");
    assertThat(Provenance.judge(stamped, "a", "a", now, now))
        .isEqualTo(Provenance.Verdict.OTHER_IDENTITY);
    assertThat(Provenance.judge(stamped, "b", "b", now, now))
        .isEqualTo(Provenance.Verdict.BELIEVED);
    assertThat(Provenance.judge(MessageProps.none(), "a", "b", now, now))
        .isEqualTo(Provenance.Verdict.OTHER_DEVICE);
    long elevenDays = 11L * 24 * 3600 * 1000;
    assertThat(Provenance.judge(MessageProps.none(), "a", "a", now + elevenDays, now))
        .isEqualTo(Provenance.Verdict.FROM_THE_FUTURE);
    // Within the allowed skew: a device clock a minute fast is fine.
    assertThat(Provenance.judge(MessageProps.none(), "a", "a", now + 60_000, now))
        .isEqualTo(Provenance.Verdict.BELIEVED);
  }

  @Test
  void driftAlerts_arePublishedByTheIngestor_andReadByTheConsole_notByDevices() {
    String topic = Topics.driftAlert("sensor");
    assertThat(topic).isEqualTo("kiln/v1/alerts/drift/sensor");
    assertThat(TopicAcl.mayPublish(TopicAcl.INGEST, topic)).isTrue();
    assertThat(TopicAcl.maySubscribe(TopicAcl.CONSOLE, Topics.allAlerts())).isTrue();
    assertThat(TopicAcl.mayPublish("dev-a", topic)).isFalse();
    assertThat(TopicAcl.maySubscribe("dev-a", Topics.allAlerts())).isFalse();
    assertThat(TopicAcl.mayPublish(TopicAcl.CONSOLE, topic)).isFalse();
  }

  @Test
  void aModelNameThatIsNotOneTopicLevel_isRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Topics.driftAlert("a/b"))
        .isInstanceOf(dev.kiln.link.error.LinkException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Topics.driftAlert("#"))
        .isInstanceOf(dev.kiln.link.error.LinkException.class);
  }
}
