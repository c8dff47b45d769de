package dev.kiln.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.agent.AgentProcess;
import dev.kiln.agent.TestCertificates;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The agent's API over HTTPS, and over mutual TLS with {@code http.tls.clientCaFile}. */
class AgentTlsIT {
  private static Path work;
  private static TestCertificates certs;

  @BeforeAll
  static void pki() throws Exception {
    work = AgentProcess.tmp("agent-tls");
    certs = TestCertificates.create(work.resolve("pki"));
  }

  private static Consumer<ObjectNode> tls(boolean mutual) {
    return c -> {
      ObjectNode tls =
          ((ObjectNode) c.get("http"))
              .putObject("tls")
              .put("certFile", certs.serverPem().toString())
              .put("keyFile", certs.serverKey().toString());
      if (mutual) {
        tls.put("clientCaFile", certs.caPem().toString());
      }
    };
  }

  private static int status(SSLContext client, AgentProcess agent, String path)
      throws IOException, InterruptedException {
    HttpClient http =
        HttpClient.newBuilder().sslContext(client).connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest request =
        HttpRequest.newBuilder(agent.uri(path)).timeout(Duration.ofSeconds(10)).build();
    return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  @Test
  void https_servesClientsThatTrustTheCa() throws Exception {
    try (AgentProcess agent =
        new AgentProcess(work.resolve("one-way"), tls(false))
            .https(certs.clientContext(false))
            .start()) {
      assertThat(agent.get("/metrics").statusCode()).isEqualTo(200);
      // No model is installed, so /ping answers 503: what matters is that it answers over TLS.
      assertThat(agent.get("/ping").statusCode()).isEqualTo(503);
      assertThat(AgentProcess.json(agent.get("/ping")).path("status").asText())
          .isEqualTo("unhealthy");
      // A client certificate is not asked for, and not refused.
      assertThat(status(certs.clientContext(true), agent, "/metrics")).isEqualTo(200);
      // A client that does not trust the CA refuses the agent.
      assertThatThrownBy(() -> status(SSLContext.getDefault(), agent, "/metrics"))
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void mutualTls_refusesClientsWithoutACertificate_andServesThoseWithOne() throws Exception {
    try (AgentProcess agent =
        new AgentProcess(work.resolve("mutual"), tls(true))
            .https(certs.clientContext(true))
            .start()) {
      assertThat(agent.get("/metrics").statusCode()).isEqualTo(200);
      assertThat(status(certs.clientContext(true), agent, "/ping")).isEqualTo(503);
      assertThatThrownBy(() -> status(certs.clientContext(false), agent, "/metrics"))
          .isInstanceOf(IOException.class);
    }
  }
}
