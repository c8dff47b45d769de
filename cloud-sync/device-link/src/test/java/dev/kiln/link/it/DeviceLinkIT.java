package dev.kiln.link.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.link.DeviceLink;
import dev.kiln.link.LinkConfig;
import dev.kiln.link.capture.CaptureConfig;
import dev.kiln.link.protocol.Command;
import dev.kiln.link.protocol.CommandReply;
import dev.kiln.link.protocol.DeviceInfo;
import dev.kiln.link.protocol.DeviceStatus;
import dev.kiln.link.protocol.Heartbeat;
import dev.kiln.link.protocol.InboundMessage;
import dev.kiln.link.protocol.MessageProps;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.Topics;
import dev.kiln.link.protocol.capture.CaptureBatchCodec;
import dev.kiln.link.protocol.capture.CaptureRecord;
import dev.kiln.link.protocol.capture.CaptureTensor;
import dev.kiln.link.protocol.signing.CommandSignature;
import dev.kiln.link.telemetry.AgentTelemetry;
import dev.kiln.link.transport.MqttTransport;
import dev.kiln.link.transport.TransportConfig;
import dev.kiln.testkit.Mosquitto;
import dev.kiln.testkit.TcpProxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
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
  private final KeyPair console = Ed25519Keys.generate();

  @BeforeEach
  void startBroker() {
    broker = Mosquitto.start(tmp.resolve("broker"));
    observer =
        new MqttTransport(
            TransportConfig.builder(broker.url(), "observer")
                .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
                .build());
    observer.setMessageHandler(seen::add);
    observer.keepSubscribed(List.of(Topics.DEVICES + "/#"), 1);
    observer.start();
    await().until(observer::subscribed);
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
            .commandKeys(Map.of(Ed25519Keys.keyId(console.getPublic()), console.getPublic()))
            .info("rpi4", "arm64", List.of("lab"))
            .build();
    return DeviceLink.start(cfg, () -> AgentTelemetry.empty("0.1.0"));
  }

  private Command command(String id, String type, String device, long issuedAt, long expiresAt) {
    Command unsigned =
        new Command(
            1,
            id,
            type,
            device,
            issuedAt,
            expiresAt,
            "nonce-" + id,
            JsonNodeFactory.instance.objectNode(),
            null,
            null);
    return CommandSignature.sign(unsigned, console);
  }

  private void send(Command cmd) {
    observer.publish(
        Topics.command("dev-1", cmd.type()),
        ProtocolJson.write(cmd),
        1,
        false,
        MessageProps.none());
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
      long now = System.currentTimeMillis();
      Command cmd = command("cmd-1", "config", "dev-1", now, now + 60_000);
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
      send(command("cmd-2", "deploy", "dev-1", 1, 2));
      await().until(() -> !on(Topics.replies("dev-1")).isEmpty());
      assertThat(reply(on(Topics.replies("dev-1")).get(0)).status())
          .isEqualTo(CommandReply.Status.EXPIRED);
    }
  }

  @Test
  void forgedOrMisaddressedCommands_areRejected_andReplaysAcrossRestarts_areIgnored() {
    List<String> handled = new CopyOnWriteArrayList<>();
    long now = System.currentTimeMillis();
    Command good = command("cmd-good", "config", "dev-1", now, now + 60_000);
    try (DeviceLink link = link(broker.url())) {
      link.onCommand((cmd, reply) -> handled.add(cmd.id()));
      await().until(link::connected);
      KeyPair attacker = Ed25519Keys.generate();
      send(
          CommandSignature.sign(
              command("cmd-evil", "config", "dev-1", now, now + 60_000), attacker));
      send(
          new Command(
              1,
              "cmd-tampered",
              "config",
              "dev-1",
              now,
              now + 60_000,
              good.nonce() + "x",
              good.payload(),
              good.keyId(),
              good.signature()));
      send(command("cmd-other", "config", "dev-2", now, now + 60_000));
      send(good.withSignature(null, null));
      send(good);
      await().until(() -> on(Topics.replies("dev-1")).size() >= 4);
      assertThat(on(Topics.replies("dev-1")))
          .extracting(m -> reply(m).status())
          .containsOnly(CommandReply.Status.REJECTED);
      assertThat(on(Topics.replies("dev-1")))
          .extracting(m -> reply(m).message())
          .anyMatch(msg -> msg.startsWith("UNTRUSTED_KEY"))
          .anyMatch(msg -> msg.startsWith("BAD_SIGNATURE"))
          .anyMatch(msg -> msg.startsWith("WRONG_DEVICE"))
          .anyMatch(msg -> msg.startsWith("UNSIGNED"));
      await().until(() -> handled.contains("cmd-good"));
      assertThat(link.rejectedCommands()).isEqualTo(4);
      // The info the console targets by is retained.
      await().until(() -> !on(Topics.info("dev-1")).isEmpty());
      DeviceInfo info =
          ProtocolJson.read(on(Topics.info("dev-1")).get(0).payload(), DeviceInfo.class);
      assertThat(info.arch()).isEqualTo("arm64");
      assertThat(info.groups()).containsExactly("lab");
      assertThat(info.agentVersion()).isEqualTo("0.1.0");
    }
    int repliesBefore = on(Topics.replies("dev-1")).size();
    try (DeviceLink link = link(broker.url())) {
      link.onCommand((cmd, reply) -> handled.add(cmd.id()));
      await().until(link::connected);
      send(good);
      await().until(() -> link.rejectedCommands() == 1);
      assertThat(handled).containsExactly("cmd-good");
      assertThat(on(Topics.replies("dev-1"))).as("a replay gets no answer").hasSize(repliesBefore);
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
