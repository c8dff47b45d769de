package dev.kiln.bench.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The JDK's {@code HttpServer} configured as the agent's {@code AgentHttpServer} configures it
 * today: TCP_NODELAY on, backlog 128, a fixed pool of {@code threads.http} workers. Its dispatcher
 * thread accepts and polls; the worker reads the request line and headers itself.
 *
 * <p>With {@code deadline}, also {@code sun.net.httpserver.maxReqTime=5}: the one knob the JDK
 * server has against slow requests (seconds allowed to read a request; a timer closes connections
 * past it). It is read once per JVM, when the first server is created, so it only takes effect in a
 * JVM of its own, as the benchmark runs it.
 */
final class JdkServer implements BenchServer {
  private final HttpServer server;
  private final ExecutorService workers;

  /** Seconds a request may take to arrive when the deadline is on. */
  static final int MAX_REQUEST_SECONDS = 5;

  JdkServer(int threads, boolean deadline) throws IOException {
    System.setProperty("sun.net.httpserver.nodelay", "true");
    if (deadline) {
      System.setProperty("sun.net.httpserver.maxReqTime", String.valueOf(MAX_REQUEST_SECONDS));
    }
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
    workers = Executors.newFixedThreadPool(threads);
    server.setExecutor(workers);
    server.createContext("/", this::handle);
    server.start();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      if (path.equals("/ping") && method.equals("GET")) {
        reply(ex, 200, Payloads.PING_REPLY);
      } else if (path.equals("/invocations") && method.equals("POST")) {
        byte[] body = ex.getRequestBody().readAllBytes();
        if (BenchServer.fullBody(body.length)) {
          reply(ex, 200, Payloads.INVOCATION_REPLY);
        } else {
          reply(ex, 400, Payloads.PING_REPLY);
        }
      } else {
        reply(ex, 404, Payloads.PING_REPLY);
      }
    }
  }

  private static void reply(HttpExchange ex, int status, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    workers.shutdownNow();
  }
}
