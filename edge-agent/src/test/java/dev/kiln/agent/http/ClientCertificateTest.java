package dev.kiln.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.TestCertificates;
import dev.kiln.agent.config.AgentConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Exchange#verifiedClientCertificate()} on the agent's own connector: the certificate a
 * mutual-TLS client presented, and nothing over plain HTTP.
 */
class ClientCertificateTest {
  @TempDir Path dir;

  /** Replies with the subject of the exchange's verified client certificate, or "none". */
  private static final class Subject extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      Exchange ex = new Exchange(request, response, callback);
      String subject =
          ex.verifiedClientCertificate()
              .map(c -> c.getSubjectX500Principal().getName())
              .orElse("none");
      ex.json(200, Map.of("subject", subject));
      return true;
    }
  }

  private static String subject(AgentConfig.Http config, SSLContext client) throws Exception {
    Server server = new Server();
    ServerConnector connector = HardenedConnector.create(server, config);
    server.addConnector(connector);
    server.setHandler(new Subject());
    server.start();
    try {
      String scheme = config.tls() == null ? "http" : "https";
      HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
      if (client != null) {
        b.sslContext(client);
      }
      HttpResponse<String> r =
          b.build()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(scheme + "://127.0.0.1:" + connector.getLocalPort() + "/"))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      return RequestDecoder.mapper().readTree(r.body()).path("subject").asText();
    } finally {
      server.stop();
    }
  }

  private static AgentConfig.Http http(AgentConfig.Tls tls) {
    return new AgentConfig.Http(
        "127.0.0.1", 0, 1024 * 1024, 1, null, List.of(), 30, 10, 1024, 8192, 16, tls);
  }

  @Test
  void mutualTls_exposesTheClientsCertificate() throws Exception {
    TestCertificates certs = TestCertificates.create(Files.createDirectories(dir.resolve("pki")));
    AgentConfig.Tls mutual =
        new AgentConfig.Tls(certs.serverPem(), certs.serverKey(), certs.caPem());
    assertThat(subject(http(mutual), certs.clientContext(true))).isEqualTo("CN=test-client");
    AgentConfig.Tls oneWay = new AgentConfig.Tls(certs.serverPem(), certs.serverKey(), null);
    assertThat(subject(http(oneWay), certs.clientContext(true))).isEqualTo("none");
  }

  @Test
  void plainHttp_hasNoClientCertificate() throws Exception {
    assertThat(subject(http(null), null)).isEqualTo("none");
  }
}
