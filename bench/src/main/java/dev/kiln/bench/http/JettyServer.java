package dev.kiln.bench.http;

import java.io.InputStream;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Jetty 12 core (no servlet layer) with its defaults except the pool: one acceptor and one selector
 * (Jetty's own choice on 2 cores) plus {@code threads} workers. The selector parses request headers
 * without holding a worker; the handler then reads the body through a blocking stream.
 */
final class JettyServer implements BenchServer {
  /** The threads Jetty leases from the pool for itself: one acceptor, one selector. */
  private static final int ACCEPTORS = 1;

  private static final int SELECTORS = 1;

  private final Server server;
  private final ServerConnector connector;

  JettyServer(int threads) throws Exception {
    int poolSize = threads + ACCEPTORS + SELECTORS;
    QueuedThreadPool pool = new QueuedThreadPool(poolSize, poolSize);
    pool.setName("jetty");
    server = new Server(pool);
    HttpConfiguration http = new HttpConfiguration();
    // A server on a hostile network does not announce its version.
    http.setSendServerVersion(false);
    connector = new ServerConnector(server, ACCEPTORS, SELECTORS, new HttpConnectionFactory(http));
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(new Routes());
    server.start();
  }

  /** Blocking (Jetty's default invocation type), so Jetty never runs it on the selector thread. */
  private static final class Routes extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      String path = Request.getPathInContext(request);
      String method = request.getMethod();
      if (path.equals("/ping") && method.equals("GET")) {
        reply(response, callback, 200, Payloads.PING_REPLY);
      } else if (path.equals("/invocations") && method.equals("POST")) {
        byte[] body;
        try (InputStream in = Content.Source.asInputStream(request)) {
          body = in.readAllBytes();
        }
        if (BenchServer.fullBody(body.length)) {
          reply(response, callback, 200, Payloads.INVOCATION_REPLY);
        } else {
          reply(response, callback, 400, Payloads.PING_REPLY);
        }
      } else {
        reply(response, callback, 404, Payloads.PING_REPLY);
      }
      return true;
    }

    private static void reply(Response response, Callback callback, int status, byte[] body) {
      response.setStatus(status);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
      response.write(true, ByteBuffer.wrap(body), callback);
    }
  }

  @Override
  public int port() {
    return connector.getLocalPort();
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
