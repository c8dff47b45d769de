package dev.kiln.bench.agent;

import dev.kiln.agent.http.HardenedConnector;
import java.io.InputStream;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The HTTP floor under the agent: Jetty with the agent's thread layout (workers, one acceptor, one
 * selector, one reserved thread) and read buffer size, and no agent code. {@code GET} answers one
 * fixed reply; {@code POST} reads the whole body, then answers another. Given the agent's own reply
 * bytes, a request costs here what loopback, the client and Jetty cost the agent, and the
 * difference is the agent's: routing, decoding, the engine call, rendering.
 */
final class BareJetty implements AutoCloseable {
  private final Server server;
  private final ServerConnector connector;

  /**
   * @param workers as the agent's {@code threads.http}
   * @param getReply what a {@code GET} gets, as {@code application/json}
   * @param postReply what a {@code POST} gets once its body is read
   */
  BareJetty(int workers, byte[] getReply, byte[] postReply) throws Exception {
    int threads = workers + 3; // acceptor, selector, reserved: as the agent's pool
    QueuedThreadPool pool = new QueuedThreadPool(threads, threads);
    pool.setName("bare-jetty");
    pool.setDaemon(true);
    pool.setReservedThreads(1);
    server = new Server(pool);
    HttpConnectionFactory http = new HttpConnectionFactory();
    http.setInputBufferSize(HardenedConnector.READ_BUFFER_BYTES);
    connector = new ServerConnector(server, 1, 1, http);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(new Fixed(getReply, postReply));
    server.start();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + connector.getLocalPort();
  }

  private static final class Fixed extends Handler.Abstract {
    private final byte[] getReply;
    private final byte[] postReply;

    Fixed(byte[] getReply, byte[] postReply) {
      this.getReply = getReply;
      this.postReply = postReply;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      byte[] reply = getReply;
      if (request.getMethod().equals("POST")) {
        try (InputStream in = Content.Source.asInputStream(request)) {
          in.readAllBytes();
        }
        reply = postReply;
      }
      response.setStatus(200);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, reply.length);
      response.write(true, ByteBuffer.wrap(reply), callback);
      return true;
    }
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
