package dev.kiln.bench.http;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.xnio.Options;

/**
 * Undertow core (XNIO) with one I/O thread and {@code threads} workers. The I/O thread parses
 * request headers; {@link BlockingHandler} then dispatches the exchange to a worker, where the body
 * is read through a blocking stream.
 */
final class UndertowServer implements BenchServer {
  /**
   * Undertow's own choice for a heap of 128 MiB or more (16 KiB less room for protocol headers, in
   * direct memory). It sizes buffers from the max heap: under the benchmark's 64 MiB cap it would
   * pick 512-byte heap buffers and read a 4 KB body in eight pieces, which measures the cap, not
   * the server.
   */
  private static final int BUFFER_BYTES = 16364;

  private final Undertow server;

  UndertowServer(int threads) {
    server =
        Undertow.builder()
            .setIoThreads(1)
            .setWorkerThreads(threads)
            .setBufferSize(BUFFER_BYTES)
            .setDirectBuffers(true)
            .setSocketOption(Options.TCP_NODELAY, true)
            .setServerOption(UndertowOptions.ALWAYS_SET_DATE, true)
            .addHttpListener(0, "127.0.0.1")
            .setHandler(new BlockingHandler(UndertowServer::handle))
            .build();
    server.start();
  }

  private static void handle(HttpServerExchange ex) throws Exception {
    String path = ex.getRequestPath();
    if (path.equals("/ping") && ex.getRequestMethod().equals(Methods.GET)) {
      reply(ex, 200, Payloads.PING_REPLY);
    } else if (path.equals("/invocations") && ex.getRequestMethod().equals(Methods.POST)) {
      byte[] body;
      try (InputStream in = ex.getInputStream()) {
        body = in.readAllBytes();
      }
      if (BenchServer.fullBody(body.length)) {
        reply(ex, 200, Payloads.INVOCATION_REPLY);
      } else {
        reply(ex, 400, Payloads.PING_REPLY);
      }
    } else {
      reply(ex, 404, Payloads.PING_REPLY);
    }
  }

  private static void reply(HttpServerExchange ex, int status, byte[] body) {
    ex.setStatusCode(status);
    ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
    ex.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.length);
    ex.getResponseSender().send(ByteBuffer.wrap(body));
  }

  @Override
  public int port() {
    return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
  }

  @Override
  public void close() {
    server.stop();
  }
}
