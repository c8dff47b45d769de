package dev.kiln.link.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kiln.link.error.LinkErrorCode;
import dev.kiln.link.error.LinkException;
import dev.kiln.link.protocol.InboundMessage;
import dev.kiln.link.protocol.MessageProps;
import dev.kiln.link.transport.MqttTransport;
import dev.kiln.link.transport.TransportConfig;
import dev.kiln.testkit.Mosquitto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mutual TLS against Mosquitto with PEM files made by openssl: CA, server cert, client cert. */
class TlsTransportIT {
  private static final Path OPENSSL = Path.of("/usr/bin/openssl");

  @TempDir Path tmp;
  private Path pki;

  @BeforeEach
  void makeCertificates() throws Exception {
    if (!Files.isExecutable(OPENSSL)) {
      String msg = "openssl is missing: install it with `apt-get install openssl` to run TLS tests";
      if ("true".equals(System.getenv("CI"))) {
        Assertions.fail(msg);
      }
      Assumptions.abort(msg);
    }
    pki = Files.createDirectories(tmp.resolve("pki"));
    Files.writeString(pki.resolve("san.ext"), "subjectAltName=IP:127.0.0.1\n");
    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=kiln-test-ca");
    // Server: RSA key; client: a PKCS#1 ("RSA PRIVATE KEY") key, which the transport must wrap.
    openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1");
    openssl(
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "san.ext",
        "-out",
        "server.pem");
    openssl("genrsa", "-traditional", "-out", "client.key", "2048");
    openssl("req", "-new", "-key", "client.key", "-out", "client.csr", "-subj", "/CN=dev-1");
    openssl(
        "x509",
        "-req",
        "-in",
        "client.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-out",
        "client.pem");
    assertThat(Files.readString(pki.resolve("client.key"))).contains("BEGIN RSA PRIVATE KEY");
  }

  private void openssl(String... args) throws IOException, InterruptedException {
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add(OPENSSL.toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(pki.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("openssl %s: %s", cmd, out).isZero();
  }

  private Mosquitto tlsBroker() {
    return Mosquitto.start(
        tmp.resolve("broker"),
        List.of(
            "cafile " + pki.resolve("ca.pem"),
            "certfile " + pki.resolve("server.pem"),
            "keyfile " + pki.resolve("server.key"),
            "require_certificate true"));
  }

  private TransportConfig.Builder client(Mosquitto broker, String id) {
    return TransportConfig.builder("ssl://127.0.0.1:" + broker.port(), id)
        .backoff(Duration.ofMillis(50), Duration.ofMillis(500));
  }

  @Test
  void mutualTls_withPemFiles_connectsAndRoundTrips() {
    try (Mosquitto broker = tlsBroker();
        MqttTransport t =
            new MqttTransport(
                client(broker, "dev-1")
                    .tls(
                        pki.resolve("ca.pem"), pki.resolve("client.pem"), pki.resolve("client.key"))
                    .build())) {
      List<InboundMessage> got = new CopyOnWriteArrayList<>();
      t.setMessageHandler(got::add);
      t.start();
      await().atMost(Duration.ofSeconds(20)).until(t::isConnected);
      t.subscribe(List.of("kiln/v1/tls"), 1).join();
      t.publish("kiln/v1/tls", new byte[] {42}, 1, false, MessageProps.none()).join();
      await().until(() -> got.size() == 1);
      assertThat(got.get(0).payload()).containsExactly(42);
    }
  }

  @Test
  void withoutClientCertificate_theBrokerRefuses() {
    try (Mosquitto broker = tlsBroker();
        MqttTransport t =
            new MqttTransport(
                client(broker, "dev-2").tls(pki.resolve("ca.pem"), null, null).build())) {
      t.start();
      await()
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(3))
          .until(() -> !t.isConnected());
    }
  }

  @Test
  void tlsFilesWithTcpUrl_failFastWithTheFix() {
    assertThatThrownBy(
            () ->
                TransportConfig.builder("tcp://127.0.0.1:1883", "d")
                    .tls(pki.resolve("ca.pem"), null, null)
                    .build())
        .isInstanceOf(LinkException.class)
        .hasMessageContaining("ssl://")
        .extracting(e -> ((LinkException) e).code())
        .isEqualTo(LinkErrorCode.CONFIG_INVALID);
  }
}
