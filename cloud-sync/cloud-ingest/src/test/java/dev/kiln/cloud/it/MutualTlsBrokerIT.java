package dev.kiln.cloud.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kiln.cloud.CloudService;
import dev.kiln.cloud.broker.BrokerTls;
import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.fleet.identity.FleetCa;
import dev.kiln.fleet.identity.IssuedIdentity;
import dev.kiln.fleet.identity.PemFiles;
import dev.kiln.fleet.identity.Provisioner;
import dev.kiln.link.DeviceLink;
import dev.kiln.link.LinkConfig;
import dev.kiln.link.capture.CaptureConfig;
import dev.kiln.link.outbox.OutboxConfig;
import dev.kiln.link.protocol.DeviceStatus;
import dev.kiln.link.protocol.Heartbeat;
import dev.kiln.link.protocol.InboundMessage;
import dev.kiln.link.protocol.MessageProps;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.Provenance;
import dev.kiln.link.protocol.TopicAcl;
import dev.kiln.link.protocol.TopicKind;
import dev.kiln.link.protocol.Topics;
import dev.kiln.link.protocol.capture.CaptureBatchCodec;
import dev.kiln.link.telemetry.AgentTelemetry;
import dev.kiln.link.transport.MqttTransport;
import dev.kiln.link.transport.PemSslContexts;
import dev.kiln.link.transport.TransportConfig;
import dev.kiln.testkit.FreePorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;
import javax.net.ssl.SSLSocket;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln cloud run --tls}: the embedded broker with mutual TLS and per-device ACLs, attacked
 * by a device that tries to act for another, by clients without a fleet certificate, and by a
 * forged retained status dated in the future.
 */
class MutualTlsBrokerIT {
  private static final long ELEVEN_DAYS_MS = Duration.ofDays(11).toMillis();

  @TempDir Path tmp;
  private Path ids;
  private Path stateDir;
  private Path brokerDir;
  private int port;

  @BeforeEach
  void provision() {
    stateDir = tmp.resolve("state");
    ids = tmp.resolve("ids");
    brokerDir = ids.resolve("broker");
    port = FreePorts.next();
    Provisioner p =
        new Provisioner(FleetCa.openOrCreate(Provisioner.caDir(stateDir)), Duration.ofDays(1));
    p.device("dev-a", ids.resolve("dev-a"), url());
    p.device("dev-b", ids.resolve("dev-b"), url());
    p.console(stateDir);
    p.broker(List.of("localhost"), brokerDir);
  }

  @Test
  void deviceCannotActForAnother_andTheConsoleReachesItsOwnDevice() throws Exception {
    try (CloudService cloud = CloudService.start(options(BrokerTls.fromDir(brokerDir)));
        MqttTransport evilA = client("dev-a", ids.resolve("dev-a"));
        MqttTransport console = consoleClient()) {
      assertThat(cloud.brokerUrl()).startsWith("ssl://");
      // A real device over mutual TLS: its status and capture arrive.
      try (DeviceLink realA = DeviceLink.start(tlsLink("dev-a"), () -> AgentTelemetry.empty("t"))) {
        assertThat(realA.recorder().capture(CaptureConfig.all(), () -> Fixtures.record(0)))
            .isTrue();
        await().until(() -> Fixtures.storedIds(cloud.store()).equals(Fixtures.ids(0, 1)));
        await().until(() -> online(cloud.store(), "dev-a"));
      }

      Queue<InboundMessage> consoleHeard = new ConcurrentLinkedQueue<>();
      console.setMessageHandler(consoleHeard::add);
      console.keepSubscribed(List.of(Topics.allDevices(TopicKind.HEARTBEAT)), 1);
      console.start();
      Queue<InboundMessage> toA = new ConcurrentLinkedQueue<>();
      evilA.setMessageHandler(toA::add);
      evilA.keepSubscribed(List.of(Topics.commandFilter("dev-a")), 1);
      evilA.start();
      await().until(() -> console.subscribed() && evilA.subscribed());

      // Device A, with its own valid certificate, tries to speak and listen for device B.
      long now = System.currentTimeMillis();
      assertRefused(
          evilA,
          () ->
              evilA.publish(
                  Topics.status("dev-b"),
                  ProtocolJson.write(DeviceStatus.will("dev-b", now, "evil")),
                  1,
                  true,
                  MessageProps.none()));
      assertRefused(
          evilA,
          () ->
              evilA.publish(
                  Topics.heartbeat("dev-b"),
                  heartbeat("dev-b", "hb-forged"),
                  1,
                  false,
                  props("x")));
      assertRefused(
          evilA,
          () ->
              evilA.publish(
                  Topics.capture("dev-b"),
                  CaptureBatchCodec.encode(List.of(ProtocolJson.write(Fixtures.record(99)))),
                  1,
                  false,
                  MessageProps.none()));
      assertRefused(evilA, () -> evilA.subscribe(List.of(Topics.commandFilter("dev-b")), 1));
      assertRefused(evilA, () -> evilA.subscribe(List.of(Topics.allDevices(TopicKind.STATUS)), 1));
      assertRefused(
          evilA,
          () ->
              evilA.publish(Topics.command("dev-a", "deploy"), bytes("{}"), 1, false, props("x")));

      // Its own heartbeat, claiming the console's identity, goes through stamped with its own:
      // once it is stored, anything forged before it would have been too.
      await().until(evilA::subscribed);
      evilA
          .publish(
              Topics.heartbeat("dev-a"),
              heartbeat("dev-a", "hb-own"),
              1,
              false,
              props(TopicAcl.CONSOLE))
          .join();
      await()
          .until(
              () ->
                  Fixtures.count(cloud.store(), "SELECT count(*) FROM heartbeats WHERE id='hb-own'")
                      == 1);
      assertThat(
              Fixtures.count(cloud.store(), "SELECT count(*) FROM devices WHERE device_id='dev-b'"))
          .isZero();
      assertThat(
              Fixtures.count(
                  cloud.store(), "SELECT count(*) FROM heartbeats WHERE device_id='dev-b'"))
          .isZero();
      assertThat(Fixtures.storedIds(cloud.store())).isEqualTo(Fixtures.ids(0, 1));
      await()
          .until(
              () ->
                  consoleHeard.stream()
                      .anyMatch(
                          m ->
                              m.topic().equals(Topics.heartbeat("dev-a"))
                                  && "hb-own"
                                      .equals(
                                          ProtocolJson.read(m.payload(), Heartbeat.class).id())));
      InboundMessage own =
          consoleHeard.stream()
              .filter(m -> "hb-own".equals(ProtocolJson.read(m.payload(), Heartbeat.class).id()))
              .findFirst()
              .orElseThrow();
      assertThat(own.props().userProperty(Provenance.IDENTITY_PROPERTY)).isEqualTo("dev-a");

      // The console's identity sends a command that device A receives.
      console
          .publish(Topics.command("dev-a", "deploy"), bytes("{}"), 1, false, MessageProps.none())
          .join();
      await()
          .until(
              () ->
                  toA.stream().anyMatch(m -> m.topic().equals(Topics.command("dev-a", "deploy"))));
    }
  }

  @Test
  void clientsWithoutAFleetCertificate_cannotConnect() throws Exception {
    FleetCa stranger = FleetCa.openOrCreate(tmp.resolve("stranger-ca"));
    IssuedIdentity foreign = stranger.issueClient("dev-a", Duration.ofDays(1));
    Path foreignDir = PemFiles.ownerOnlyDir(tmp.resolve("foreign"));
    PemFiles.writeCertificate(foreignDir.resolve("c.crt"), foreign.certificate());
    PemFiles.writeKey(foreignDir.resolve("c.key"), foreign.key());
    Path ca = ids.resolve("dev-a").resolve(FleetCa.CERT_FILE);
    try (CloudService cloud = CloudService.start(options(BrokerTls.fromDir(brokerDir)))) {
      assertHandshakeRefused(ca, null, null);
      assertHandshakeRefused(ca, foreignDir.resolve("c.crt"), foreignDir.resolve("c.key"));
      // The same files the refused clients lack do get through.
      assertHandshakeAccepted(
          ca,
          ids.resolve("dev-a").resolve(Provisioner.DEVICE_CERT),
          ids.resolve("dev-a").resolve(Provisioner.DEVICE_KEY));
    }
  }

  @Test
  void aDeviceUsingAnotherDevicesClientId_isRefused_beforeItCouldTakeOverThatSession()
      throws Exception {
    Path a = ids.resolve("dev-a");
    try (CloudService cloud = CloudService.start(options(BrokerTls.fromDir(brokerDir)))) {
      MqttAsyncClient impostor = new MqttAsyncClient(url(), "dev-b", new MemoryPersistence());
      MqttConnectionOptions o = new MqttConnectionOptions();
      o.setSocketFactory(
          PemSslContexts.socketFactory(
              a.resolve(FleetCa.CERT_FILE),
              a.resolve(Provisioner.DEVICE_CERT),
              a.resolve(Provisioner.DEVICE_KEY)));
      o.setCleanStart(false);
      try {
        assertThatThrownBy(() -> impostor.connect(o).waitForCompletion(10_000))
            .isInstanceOf(MqttException.class)
            .satisfies(e -> assertThat(((MqttException) e).getReasonCode()).isEqualTo(0x85));
        // Its own id with the same certificate is accepted.
        MqttAsyncClient own = new MqttAsyncClient(url(), "dev-a", new MemoryPersistence());
        own.connect(o).waitForCompletion(10_000);
        assertThat(own.isConnected()).isTrue();
        own.disconnect().waitForCompletion(5_000);
        own.close();
      } finally {
        impostor.close();
      }
    }
  }

  @Test
  void retainedStatusDatedInTheFuture_cannotKeepARunningDeviceOffline() throws Exception {
    // The anonymous loopback broker of the laptop demo: the ingestor's own check is all there is.
    CloudService.Options plain =
        new CloudService.Options(
            null,
            tmp.resolve("plain.duckdb"),
            "127.0.0.1",
            FreePorts.next(),
            tmp.resolve("plain-broker"),
            false,
            "ingest-plain",
            null,
            t -> t.backoff(Duration.ofMillis(50), Duration.ofMillis(500)));
    try (CloudService cloud = CloudService.start(plain);
        MqttTransport forger =
            new MqttTransport(
                TransportConfig.builder(cloud.brokerUrl(), "forger")
                    .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
                    .build())) {
      forger.start();
      await().until(forger::isConnected);
      long future = System.currentTimeMillis() + ELEVEN_DAYS_MS;
      forger
          .publish(
              Topics.status("dev-x"),
              ProtocolJson.write(DeviceStatus.will("dev-x", future, "forged")),
              1,
              true,
              MessageProps.none())
          .join();
      await().until(() -> cloud.ingestor().stats().ignored() == 1);

      try (DeviceLink link =
          DeviceLink.start(
              Fixtures.link("dev-x", cloud.brokerUrl(), tmp.resolve("dev-x")),
              () -> AgentTelemetry.empty("t"))) {
        await().until(() -> online(cloud.store(), "dev-x"));
        // Live forgeries too: another future OFFLINE, and a heartbeat dated ahead.
        forger
            .publish(
                Topics.status("dev-x"),
                ProtocolJson.write(DeviceStatus.will("dev-x", future, "forged")),
                1,
                false,
                MessageProps.none())
            .join();
        await().until(() -> cloud.ingestor().stats().ignored() == 2);
        assertThat(online(cloud.store(), "dev-x")).isTrue();
      }
    }
  }

  private CloudService.Options options(BrokerTls tls) {
    return new CloudService.Options(
        null,
        tmp.resolve("cloud.duckdb"),
        "127.0.0.1",
        port,
        tmp.resolve("broker-data"),
        false,
        "ingest-tls",
        null,
        t -> t.backoff(Duration.ofMillis(50), Duration.ofMillis(500)),
        tls);
  }

  private String url() {
    return "ssl://localhost:" + port;
  }

  private LinkConfig tlsLink(String device) {
    Path d = ids.resolve(device);
    Path data = tmp.resolve("link-" + device);
    return LinkConfig.builder(device, url(), data)
        .agentVersion("test")
        .heartbeatInterval(Duration.ofMillis(500))
        .batching(100, 256 * 1024, Duration.ofMillis(50))
        .captureOutbox(OutboxConfig.defaults(data.resolve("capture")).withMinFreeDiskBytes(0))
        .transport(
            t ->
                t.tls(
                        d.resolve(FleetCa.CERT_FILE),
                        d.resolve(Provisioner.DEVICE_CERT),
                        d.resolve(Provisioner.DEVICE_KEY))
                    .backoff(Duration.ofMillis(50), Duration.ofMillis(500)))
        .build();
  }

  /** A device's own client: a device must connect with its id as client id. */
  private MqttTransport client(String device, Path dir) {
    return new MqttTransport(
        TransportConfig.builder(url(), device)
            .tls(
                dir.resolve(FleetCa.CERT_FILE),
                dir.resolve(Provisioner.DEVICE_CERT),
                dir.resolve(Provisioner.DEVICE_KEY))
            .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
            .build());
  }

  private MqttTransport consoleClient() {
    Path d = Provisioner.consoleDir(stateDir);
    return new MqttTransport(
        TransportConfig.builder(url(), "console-it")
            .tls(
                d.resolve(FleetCa.CERT_FILE),
                d.resolve(Provisioner.CONSOLE_CERT),
                d.resolve(Provisioner.CONSOLE_KEY))
            .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
            .build());
  }

  private void assertHandshakeRefused(Path ca, Path cert, Path key) {
    assertThatThrownBy(
            () -> {
              try (SSLSocket s =
                  (SSLSocket)
                      PemSslContexts.socketFactory(ca, cert, key).createSocket("localhost", port)) {
                s.startHandshake();
                // TLS 1.3 finishes the client's side first; the broker's refusal is the next read.
                s.getOutputStream().write(new byte[] {(byte) 0xC0, 0}); // MQTT PINGREQ
                s.getOutputStream().flush();
                if (s.getInputStream().read() < 0) {
                  throw new IOException("closed by the broker");
                }
              }
            })
        .isInstanceOf(IOException.class);
  }

  private void assertHandshakeAccepted(Path ca, Path cert, Path key) throws IOException {
    try (SSLSocket s =
        (SSLSocket) PemSslContexts.socketFactory(ca, cert, key).createSocket("localhost", port)) {
      s.startHandshake();
      assertThat(s.getSession().getPeerCertificates()).isNotEmpty();
    }
  }

  /**
   * The broker refuses the attempt: HiveMQ answers "not authorized" (0x87), for a publish by
   * disconnecting the client. The next attempt waits for the client's reconnect.
   */
  private static void assertRefused(
      MqttTransport client, Supplier<CompletableFuture<Void>> attempt) {
    await().until(client::subscribed);
    CompletableFuture<Void> f = attempt.get();
    await().until(f::isDone);
    assertThat(f).isCompletedExceptionally();
  }

  private static boolean online(CaptureStore store, String device) {
    return Fixtures.count(
            store,
            "SELECT count(*) FROM devices WHERE device_id='" + device + "' AND state='ONLINE'")
        == 1;
  }

  private static byte[] heartbeat(String device, String id) {
    return ProtocolJson.write(
        new Heartbeat(
            1, id, device, System.currentTimeMillis(), 1, "t", List.of(), Map.of(), null));
  }

  private static MessageProps props(String claimedIdentity) {
    return MessageProps.none().withUserProperty(Provenance.IDENTITY_PROPERTY, claimedIdentity);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
