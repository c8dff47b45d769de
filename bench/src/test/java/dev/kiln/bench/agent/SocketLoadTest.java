package dev.kiln.bench.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The closed loop counts only answered requests, and follows a server that closes each one. */
class SocketLoadTest {
  private HttpServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  private String serve(int status, boolean closeEach, AtomicInteger served) throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/invocations",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          // Counted before the reply goes: the client may count it as soon as it arrives.
          served.incrementAndGet();
          byte[] body = "{\"outputs\":[1]}".getBytes(StandardCharsets.UTF_8);
          if (closeEach) {
            exchange.getResponseHeaders().add("Connection", "close");
          }
          exchange.sendResponseHeaders(status, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Test
  void run_countsEveryAnsweredRequest_andTimesEachOne() throws Exception {
    AtomicInteger served = new AtomicInteger();
    String url = serve(200, false, served);

    SocketLoad.Outcome o =
        SocketLoad.invocations(url, "application/json", "{}".getBytes()).run(2, 0.3);

    assertThat(o.requests()).isPositive().isEqualTo(served.get());
    assertThat(o.millis()).hasSize((int) o.requests());
    assertThat(o.seconds()).isGreaterThanOrEqualTo(0.3);
  }

  @Test
  void run_reconnects_whenTheServerClosesEveryConnection() throws Exception {
    AtomicInteger served = new AtomicInteger();
    String url = serve(200, true, served);

    SocketLoad.Outcome o =
        SocketLoad.invocations(url, "application/json", "{}".getBytes()).run(1, 0.3);

    assertThat(o.requests()).isGreaterThan(1).isEqualTo(served.get());
  }

  @Test
  void run_fails_onAnAnswerThatIsNot200() throws Exception {
    String url = serve(503, false, new AtomicInteger());

    assertThatThrownBy(
            () -> SocketLoad.invocations(url, "application/json", "{}".getBytes()).run(1, 0.3))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("503");
  }
}
