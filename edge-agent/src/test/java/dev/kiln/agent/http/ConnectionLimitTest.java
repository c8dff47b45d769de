package dev.kiln.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.config.AgentConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

/**
 * {@code http.maxConnections} on the agent's connector: past the limit the server stops accepting,
 * and a waiting client is served as soon as another connection closes.
 */
class ConnectionLimitTest {
  private static final String PING = "GET / HTTP/1.1\r\nHost: agent\r\n\r\n";

  @Test
  void pastTheLimit_aClientWaits_untilAConnectionCloses() throws Exception {
    Server server = new Server();
    ServerConnector connector =
        HardenedConnector.create(
            server,
            new AgentConfig.Http(
                "127.0.0.1", 0, 1024, 1, null, List.of(), 30, 10, 1024, 8192, 2, null));
    server.addConnector(connector);
    server.setHandler(
        new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback)
              throws Exception {
            new Exchange(request, response, callback).json(200, Map.of("ok", true));
            return true;
          }
        });
    server.start();
    int port = connector.getLocalPort();
    try (Socket first = new Socket("127.0.0.1", port);
        Socket second = new Socket("127.0.0.1", port);
        Socket third = new Socket("127.0.0.1", port)) {
      assertThat(statusLine(first)).contains("200");
      assertThat(statusLine(second)).contains("200");
      // The kernel completes the third TCP handshake (backlog), but Jetty does not accept it.
      third.getOutputStream().write(PING.getBytes(StandardCharsets.US_ASCII));
      Thread.sleep(500);
      assertThat(third.getInputStream().available()).as("answered past the limit").isZero();
      first.close();
      third.setSoTimeout(10_000);
      assertThat(readLine(third.getInputStream())).contains("200");
    } finally {
      server.stop();
    }
  }

  private static String statusLine(Socket socket) throws IOException {
    socket.setSoTimeout(10_000);
    socket.getOutputStream().write(PING.getBytes(StandardCharsets.US_ASCII));
    return readLine(socket.getInputStream());
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      line.append((char) b);
    }
    return line.toString();
  }
}
