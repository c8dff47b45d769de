package dev.kiln.fleet.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.fleet.rollout.Deployment;
import dev.kiln.fleet.rollout.RolloutEngine;
import dev.kiln.fleet.state.DeviceRecord;
import dev.kiln.fleet.state.DeviceRegistry;
import dev.kiln.link.protocol.DeviceStatus;
import dev.kiln.link.protocol.Heartbeat;
import dev.kiln.link.protocol.InboundMessage;
import dev.kiln.link.protocol.MessageProps;
import dev.kiln.link.protocol.ModelState;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.Provenance;
import dev.kiln.link.protocol.Topics;
import dev.kiln.link.transport.MqttTransport;
import dev.kiln.link.transport.TransportConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console believes a device message only from that device and not dated in the future. */
class DeviceMessageTrustTest {
  private static final long ELEVEN_DAYS = Duration.ofDays(11).toMillis();

  @TempDir Path dir;
  private MqttTransport transport;
  private ConsoleMessages messages;

  private DeviceRegistry registry(List<DeviceRecord> loaded) {
    DeviceRegistry registry = new DeviceRegistry(loaded);
    ConsoleConfig config = ConsoleConfig.defaults("tcp://127.0.0.1:1", dir, Ed25519Keys.generate());
    Map<String, Deployment> deployments = new LinkedHashMap<>();
    // Never started: nothing here is sent.
    transport = new MqttTransport(TransportConfig.builder("tcp://127.0.0.1:1", "t").build());
    messages =
        new ConsoleMessages(
            config,
            registry,
            deployments,
            new RolloutEngine(config.engine(), () -> "cmd"),
            transport,
            new CommandFactory(config.consoleKey(), 60_000));
    return registry;
  }

  @AfterEach
  void close() {
    messages.close();
    transport.close();
  }

  @Test
  void aRetainedOfflineDatedInTheFuture_cannotMarkARunningDeviceOffline() {
    DeviceRegistry registry = registry(List.of());
    long now = System.currentTimeMillis();
    messages.handle(status(DeviceStatus.birth("dev-x", now, "1"), MessageProps.none()));
    assertThat(registry.online("dev-x")).isTrue();

    messages.handle(
        status(DeviceStatus.will("dev-x", now + ELEVEN_DAYS, "forged"), MessageProps.none()));
    assertThat(registry.online("dev-x")).isTrue();
    assertThat(messages.ignored()).containsEntry(Provenance.Verdict.FROM_THE_FUTURE, 1L);
  }

  @Test
  void aFutureConnectionTimeStoredBefore_doesNotHoldOffTheRealBirth() {
    long now = System.currentTimeMillis();
    DeviceRecord stored =
        DeviceRecord.unknown("dev-x").withStatus(false, now + ELEVEN_DAYS, 0, "x");
    DeviceRegistry registry = registry(List.of(stored));
    messages.handle(status(DeviceStatus.birth("dev-x", now, "1"), MessageProps.none()));
    assertThat(registry.online("dev-x")).isTrue();
  }

  @Test
  void messagesFromAnotherIdentity_orNamingAnotherDevice_areIgnored() {
    DeviceRegistry registry = registry(List.of());
    long now = System.currentTimeMillis();
    MessageProps fromB =
        MessageProps.none().withUserProperty(Provenance.IDENTITY_PROPERTY, "dev-b");
    Heartbeat hb =
        new Heartbeat(
            1,
            "hb1",
            "dev-a",
            now,
            1,
            "1",
            List.of(new ModelState("mlp", "9", null, "ACTIVE")),
            Map.of(),
            null);
    messages.handle(
        new InboundMessage(Topics.heartbeat("dev-a"), ProtocolJson.write(hb), 1, false, fromB));
    assertThat(registry.reportedVersion("dev-a", "mlp")).isNull();

    // On dev-a's topic, a body that speaks for dev-c.
    messages.handle(
        new InboundMessage(
            Topics.status("dev-a"),
            ProtocolJson.write(DeviceStatus.birth("dev-c", now, "1")),
            1,
            false,
            MessageProps.none()));
    assertThat(registry.online("dev-c")).isFalse();
    assertThat(messages.ignored())
        .containsEntry(Provenance.Verdict.OTHER_IDENTITY, 1L)
        .containsEntry(Provenance.Verdict.OTHER_DEVICE, 1L);

    // The same heartbeat stamped with its own device's identity is believed.
    MessageProps fromA =
        MessageProps.none().withUserProperty(Provenance.IDENTITY_PROPERTY, "dev-a");
    messages.handle(
        new InboundMessage(Topics.heartbeat("dev-a"), ProtocolJson.write(hb), 1, false, fromA));
    assertThat(registry.reportedVersion("dev-a", "mlp")).isEqualTo("9");
  }

  private static InboundMessage status(DeviceStatus s, MessageProps props) {
    return new InboundMessage(Topics.status(s.deviceId()), ProtocolJson.write(s), 1, true, props);
  }
}
