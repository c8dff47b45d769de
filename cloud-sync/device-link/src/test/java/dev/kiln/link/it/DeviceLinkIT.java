package dev.kiln.link.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.kiln.link.DeviceLink;
import dev.kiln.link.LinkConfig;
import dev.kiln.link.capture.CaptureConfig;
import dev.kiln.link.capture.CaptureRecord;
import dev.kiln.link.capture.CaptureTensor;
import dev.kiln.link.protocol.CaptureBatchCodec;
import dev.kiln.link.protocol.Command;
import dev.kiln.link.protocol.CommandReply;
import dev.kiln.link.protocol.DeviceStatus;
import dev.kiln.link.protocol.Heartbeat;
import dev.kiln.link.protocol.InboundMessage;
import dev.kiln.link.protocol.MessageProps;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.Topics;
import dev.kiln.link.telemetry.AgentTelemetry;
import dev.kiln.link.testing.Mosquitto;
import dev.kiln.link.testing.TcpProxy;
import dev.kiln.link.transport.MqttTransport;
import dev.kiln.link.transport.TransportConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceLinkIT {
  @TempDir Path tmp;
  private Mosquitto broker;
  private MqttTransport observer;
  private final List<InboundMessage> seen = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startBroker() {
    broker = Mosquitto.start(tmp.resolve("broker"));
    observer =
        new MqttTransport(
            TransportConfig.builder(broker.url(), "observer")
                .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
                .build());
    observer.setMessageHandler(seen::add);
    observer.addListener(sessionPresent -> observer.subscribe(List.of(Topics.DEVICES + "/#"), 1));
    observer.start();
    await().until(observer::isConnected);
  }

  @AfterEach
  void stop() {
    observer.close();
    broker.close();
  }

  private DeviceLink link(String url) {
    LinkConfig cfg =
        LinkConfig.builder("dev-1", url, tmp.resolve("link"))
            .agentVersion("0.1.0")
            .heartbeatInterval(Duration.ofMillis(200))
            .batching(25, 1 << 20, Duration.ofMillis(50))
            .transport(t -> t.backoff(Duration.ofMillis(50), Duration.ofMillis(500)))
            .build();
    return DeviceLink.start(cfg, () -> AgentTelemetry.empty("0.1.0"));
  }

  private static CaptureRecord record(int i) {
    return CaptureRecord.of(
        "m",
        "1",
        "fp32",
        1.0 + i,
        List.of(CaptureTensor.ofFloats("x", new long[] {1, 2}, new float[] {i, i})),
        List.of(CaptureTensor.ofFloats("y", new long[] {1, 1}, new float[] {i})),
        false);
  }

  private List<InboundMessage> on(String topic) {
    return seen.stream().filter(m -> m.topic().equals(topic)).toList();
  }

  private DeviceStatus lastStatus() {
    List<InboundMessage> s = on(Topics.status("dev-1"));
    return s.isEmpty()
        ? null
        : ProtocolJson.read(s.get(s.size() - 1).payload(), DeviceStatus.class);
  }

  @Test
  void capture_arrivesAsGzipBatches_withProperties_andHeartbeatsFlow() {
    try (DeviceLink link = link(broker.url())) {
      await().until(link::connected);
      for (int i = 0; i < 100; i++) {
        int n = i;
        assertThat(link.recorder().capture(CaptureConfig.all(), () -> record(n))).isTrue();
      }
      Set<String> ids = ConcurrentHashMap.newKeySet();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> {
                ids.clear();
                for (InboundMessage m : on(Topics.capture("dev-1"))) {
                  for (byte[] r : CaptureBatchCodec.decode(m.payload())) {
                    ids.add(ProtocolJson.read(r, CaptureRecord.class).id());
                  }
                }
                return ids.size() == 100;
              });
      InboundMessage batch = on(Topics.capture("dev-1")).get(0);
      assertThat(batch.props().userProperties())
          .containsEntry("content-encoding", "gzip")
          .containsEntry("schema", "1")
          .containsKey("batch-id");
      assertThat(batch.props().contentType()).isEqualTo("application/x-ndjson");
      assertThat(batch.props().messageExpirySeconds()).isPositive();
      await().until(() -> lastStatus() != null);
      assertThat(lastStatus().state()).isEqualTo(DeviceStatus.State.ONLINE);
      await().until(() -> !on(Topics.heartbeat("dev-1")).isEmpty());
      Heartbeat hb =
          ProtocolJson.read(on(Topics.heartbeat("dev-1")).get(0).payload(), Heartbeat.class);
      assertThat(hb.deviceId()).isEqualTo("dev-1");
      assertThat(hb.link()).isNotNull();
      await().until(() -> link.stats().capturePublishedRecords() == 100);
      assertThat(link.stats().outboxPendingRecords()).isZero();
    }
    await().until(() -> lastStatus().state() == DeviceStatus.State.OFFLINE);
    assertThat(lastStatus().reason()).isEqualTo("shutdown");
  }

  @Test
  void command_getsAcceptedAndSucceeded_onResponseTopic_withCorrelationData() {
    try (DeviceLink link = link(broker.url())) {
      link.onCommand(
          (cmd, reply) -> {
            reply.accept();
            reply.progress(50, "half way");
            reply.succeeded("done " + cmd.type());
          });
      await().until(link::connected);
      await().until(() -> lastStatus() != null);
      Command cmd =
          new Command(
              1,
              "cmd-1",
              "config",
              System.currentTimeMillis(),
              0,
              JsonNodeFactory.instance.objectNode());
      byte[] corr = "corr-7".getBytes(StandardCharsets.UTF_8);
      MessageProps props =
          new MessageProps("application/json", 60L, "kiln/v1/test/replies", corr, Map.of());
      observer.subscribe(List.of("kiln/v1/test/replies"), 1).join();
      // Sent twice, as a QoS 1 redelivery would: the device must act once.
      observer.publish(Topics.command("dev-1", "config"), ProtocolJson.write(cmd), 1, false, props);
      observer.publish(Topics.command("dev-1", "config"), ProtocolJson.write(cmd), 1, false, props);
      await()
          .until(
              () ->
                  on("kiln/v1/test/replies").stream()
                      .anyMatch(m -> reply(m).status() == CommandReply.Status.SUCCEEDED));
      List<InboundMessage> replies = on("kiln/v1/test/replies");
      assertThat(replies)
          .extracting(m -> reply(m).status())
          .containsExactly(
              CommandReply.Status.ACCEPTED,
              CommandReply.Status.IN_PROGRESS,
              CommandReply.Status.SUCCEEDED);
      assertThat(replies.get(0).props().correlationData()).isEqualTo(corr);
      assertThat(reply(replies.get(2)).commandId()).isEqualTo("cmd-1");
    }
  }

  @Test
  void expiredCommand_isAnsweredExpired_withoutRunningTheHandler() {
    try (DeviceLink link = link(broker.url())) {
      link.onCommand((cmd, reply) -> reply.succeeded("should not run"));
      await().until(link::connected);
      Command cmd = new Command(1, "cmd-2", "deploy", 1, 2, JsonNodeFactory.instance.objectNode());
      observer.publish(
          Topics.command("dev-1", "deploy"),
          ProtocolJson.write(cmd),
          1,
          false,
          MessageProps.none());
      await().until(() -> !on(Topics.replies("dev-1")).isEmpty());
      assertThat(reply(on(Topics.replies("dev-1")).get(0)).status())
          .isEqualTo(CommandReply.Status.EXPIRED);
    }
  }

  @Test
  void linkCut_firesLastWill_andReconnectRepublishesBirth() {
    try (TcpProxy proxy = new TcpProxy(broker.port());
        DeviceLink link = link(proxy.url())) {
      await().until(link::connected);
      await()
          .until(() -> lastStatus() != null && lastStatus().state() == DeviceStatus.State.ONLINE);
      proxy.cut();
      await().until(() -> lastStatus().state() == DeviceStatus.State.OFFLINE);
      assertThat(lastStatus().reason()).isEqualTo("connection-lost");
      proxy.restore();
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> lastStatus().state() == DeviceStatus.State.ONLINE);
    }
  }

  private static CommandReply reply(InboundMessage m) {
    return ProtocolJson.read(m.payload(), CommandReply.class);
  }
}
