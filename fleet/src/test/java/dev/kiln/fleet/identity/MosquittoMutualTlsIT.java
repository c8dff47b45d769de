package dev.kiln.fleet.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kiln.link.protocol.InboundMessage;
import dev.kiln.link.protocol.MessageProps;
import dev.kiln.link.protocol.TopicAcl;
import dev.kiln.link.protocol.TopicKind;
import dev.kiln.link.protocol.Topics;
import dev.kiln.link.transport.MqttTransport;
import dev.kiln.link.transport.PemSslContexts;
import dev.kiln.link.transport.TransportConfig;
import dev.kiln.testkit.FreePorts;
import dev.kiln.testkit.Mosquitto;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Mosquitto config {@code kiln fleet provision --mosquitto} writes, run by a real Mosquitto:
 * mutual TLS with the fleet CA, and the ACL that keeps each device to its own topics.
 */
class MosquittoMutualTlsIT {
  @TempDir Path tmp;
  private Path out;
  private Path stateDir;
  private Path brokerDir;
  private int port;

  @BeforeEach
  void provision() {
    Mosquitto.requireInstalled();
    stateDir = tmp.resolve("state");
    out = tmp.resolve("identities");
    brokerDir = tmp.resolve("mosquitto-conf");
    port = FreePorts.next();
    Provisioner p =
        new Provisioner(FleetCa.openOrCreate(Provisioner.caDir(stateDir)), Duration.ofDays(1));
    String url = "ssl://localhost:" + port;
    p.device("dev-a", out.resolve("dev-a"), url);
    p.device("dev-b", out.resolve("dev-b"), url);
    p.console(stateDir);
    p.mosquitto(List.of("localhost"), brokerDir, port);
  }

  @Test
  void devicesPublishOnlyAsThemselves_andReadOnlyTheirOwnCommands() throws Exception {
    try (Mosquitto broker =
            Mosquitto.startWithConfig(
                tmp.resolve("run"),
                port,
                Files.readString(brokerDir.resolve(MosquittoConfig.CONF_FILE)));
        MqttTransport console = console();
        MqttTransport devA = device("dev-a");
        MqttTransport devB = device("dev-b")) {
      Queue<InboundMessage> heard = new ConcurrentLinkedQueue<>();
      console.setMessageHandler(heard::add);
      console.keepSubscribed(
          List.of(Topics.allDevices(TopicKind.STATUS), Topics.allDevices(TopicKind.HEARTBEAT)), 1);
      console.start();
      await().until(console::subscribed);

      Queue<InboundMessage> toA = new ConcurrentLinkedQueue<>();
      Queue<InboundMessage> toB = new ConcurrentLinkedQueue<>();
      devA.setMessageHandler(toA::add);
      devB.setMessageHandler(toB::add);
      devA.keepSubscribed(List.of(Topics.commandFilter("dev-a")), 1);
      devB.keepSubscribed(List.of(Topics.commandFilter("dev-b")), 1);
      devA.start();
      devB.start();
      await().until(() -> devA.subscribed() && devB.subscribed());

      // A may not read B's commands: Mosquitto refuses the subscription or never delivers.
      devA.subscribe(List.of(Topics.commandFilter("dev-b")), 1).exceptionally(e -> null).join();

      // A publishes as B, then as itself. Mosquitto 2 answers an MQTT 5 client "not authorized"
      // (0x87; older versions drop it silently) and keeps one client's messages in order, so once
      // A's own status is heard, the forged ones would have been heard before it.
      attempt(devA.publish(Topics.status("dev-b"), bytes("forged"), 1, true, MessageProps.none()));
      attempt(
          devA.publish(Topics.heartbeat("dev-b"), bytes("forged"), 1, false, MessageProps.none()));
      devA.publish(Topics.status("dev-a"), bytes("real"), 1, false, MessageProps.none()).join();
      await().until(() -> topics(heard).contains(Topics.status("dev-a")));
      assertThat(topics(heard)).containsExactly(Topics.status("dev-a"));

      // The console's commands reach their own device only.
      console
          .publish(Topics.command("dev-b", "deploy"), bytes("for b"), 1, false, MessageProps.none())
          .join();
      console
          .publish(Topics.command("dev-a", "deploy"), bytes("for a"), 1, false, MessageProps.none())
          .join();
      await().until(() -> topics(toA).contains(Topics.command("dev-a", "deploy")));
      await().until(() -> topics(toB).contains(Topics.command("dev-b", "deploy")));
      assertThat(topics(toA)).containsExactly(Topics.command("dev-a", "deploy"));

      // A device cannot send commands, even to itself.
      attempt(
          devB.publish(
              Topics.command("dev-a", "deploy"), bytes("x"), 1, false, MessageProps.none()));
      console
          .publish(Topics.command("dev-a", "rollback"), bytes("y"), 1, false, MessageProps.none())
          .join();
      await().until(() -> topics(toA).contains(Topics.command("dev-a", "rollback")));
      assertThat(topics(toA))
          .containsExactly(Topics.command("dev-a", "deploy"), Topics.command("dev-a", "rollback"));
    }
  }

  @Test
  void deviceTakingAnotherDevicesClientId_getsNoneOfItsCommands() throws Exception {
    try (Mosquitto broker =
            Mosquitto.startWithConfig(
                tmp.resolve("run"),
                port,
                Files.readString(brokerDir.resolve(MosquittoConfig.CONF_FILE)));
        MqttTransport console = console()) {
      console.start();
      try (MqttTransport devB = device("dev-b")) {
        devB.keepSubscribed(List.of(Topics.commandFilter("dev-b")), 1);
        devB.start();
        await().until(devB::subscribed);
      }
      // dev-a's certificate, dev-b's client id: even if Mosquitto resumes dev-b's session (and its
      // subscription), it checks read access against the user, dev-a, on every delivery.
      Queue<InboundMessage> heard = new ConcurrentLinkedQueue<>();
      try (MqttTransport impostor = device("dev-a", "dev-b")) {
        impostor.setMessageHandler(heard::add);
        impostor.keepSubscribed(List.of(Topics.commandFilter("dev-a")), 1);
        impostor.start();
        await().until(() -> impostor.subscribed() && console.isConnected());
        console
            .publish(Topics.command("dev-b", "deploy"), bytes("b"), 1, false, MessageProps.none())
            .join();
        console
            .publish(Topics.command("dev-a", "deploy"), bytes("a"), 1, false, MessageProps.none())
            .join();
        await().until(() -> topics(heard).contains(Topics.command("dev-a", "deploy")));
        assertThat(topics(heard)).containsExactly(Topics.command("dev-a", "deploy"));
      }
    }
  }

  @Test
  void clientWithoutACertificate_isRefused() throws Exception {
    try (Mosquitto broker =
        Mosquitto.startWithConfig(
            tmp.resolve("run"),
            port,
            Files.readString(brokerDir.resolve(MosquittoConfig.CONF_FILE)))) {
      Path ca = out.resolve("dev-a").resolve(FleetCa.CERT_FILE);
      try (SSLSocket s =
          (SSLSocket)
              PemSslContexts.socketFactory(ca, null, null).createSocket("localhost", port)) {
        assertThatThrownBy(
                () -> {
                  s.startHandshake();
                  if (s.getInputStream().read() < 0) {
                    throw new IOException("closed by the broker");
                  }
                })
            .isInstanceOf(IOException.class);
      }
    }
  }

  private MqttTransport device(String id) {
    return device(id, id);
  }

  private MqttTransport device(String id, String clientId) {
    Path d = out.resolve(id);
    return new MqttTransport(
        TransportConfig.builder("ssl://localhost:" + port, clientId)
            .tls(
                d.resolve(FleetCa.CERT_FILE),
                d.resolve(Provisioner.DEVICE_CERT),
                d.resolve(Provisioner.DEVICE_KEY))
            .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
            .build());
  }

  private MqttTransport console() {
    Path d = Provisioner.consoleDir(stateDir);
    return new MqttTransport(
        TransportConfig.builder("ssl://localhost:" + port, TopicAcl.CONSOLE)
            .tls(
                d.resolve(FleetCa.CERT_FILE),
                d.resolve(Provisioner.CONSOLE_CERT),
                d.resolve(Provisioner.CONSOLE_KEY))
            .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
            .build());
  }

  /** Waits for a publish to be answered, whether the broker took or refused it. */
  private static void attempt(CompletableFuture<Void> publish) {
    publish.handle((ok, refused) -> null).join();
  }

  private static List<String> topics(Queue<InboundMessage> q) {
    return q.stream().map(InboundMessage::topic).toList();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
