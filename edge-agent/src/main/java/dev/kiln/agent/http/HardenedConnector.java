package dev.kiln.agent.http;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.config.AgentConfig;
import dev.kiln.link.error.LinkException;
import dev.kiln.link.transport.PemSslContexts;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The agent's listening socket, set up for hostile networks: idle and header deadlines, a minimum
 * request data rate, a header size limit, a connection limit, optional (mutual) TLS, and no server
 * version in replies.
 */
public final class HardenedConnector {
  /** One acceptor and one selector are plenty for an edge device's API. */
  static final int ACCEPTORS = 1;

  static final int SELECTORS = 1;

  /**
   * Bytes Jetty reads from a socket at a time, 4x its default of 8 KiB. Tensor bodies are tens of
   * KB to MBs, and each read is a system call plus a pass of Jetty's parser and a chunk handed to
   * {@link BodyReader}: the sample CNN's 37 KB JSON body took five reads and now takes two.
   * Measured (docs/benchmarks.md, peer section) at 3-5% more requests per second at 1 and 8
   * connections. It costs no memory per idle or slow connection: Jetty takes the buffer from its
   * pool for a read and gives it back once parsed, also when a request's head is incomplete (250
   * connections holding half a head each kept 352 KB of direct buffers).
   */
  public static final int READ_BUFFER_BYTES = 32 * 1024;

  private HardenedConnector() {}

  static ServerConnector create(Server server, AgentConfig.Http http) {
    HttpConfiguration config = new HttpConfiguration();
    config.setSendServerVersion(false);
    config.setSendXPoweredBy(false);
    config.setRequestHeaderSize(http.maxHeaderBytes());
    // http.minRequestBytesPerSecond is enforced by BodyReader: Jetty's core server ignores
    // HttpConfiguration.setMinRequestDataRate (only its servlet layer reads it).
    config.setIdleTimeout(TimeUnit.SECONDS.toMillis(http.idleTimeoutSeconds()));
    HttpConnectionFactory plain = new HttpConnectionFactory(config);
    plain.setInputBufferSize(READ_BUFFER_BYTES);
    ServerConnector connector;
    if (http.tls() == null) {
      connector = new ServerConnector(server, ACCEPTORS, SELECTORS, plain);
    } else {
      // No SNI host check: devices are reached by IP address as often as by name.
      config.addCustomizer(new SecureRequestCustomizer(false));
      SslConnectionFactory tls =
          new SslConnectionFactory(tlsContext(http.tls()), HttpVersion.HTTP_1_1.asString());
      connector = new ServerConnector(server, ACCEPTORS, SELECTORS, tls, plain);
    }
    connector.setHost(http.host());
    connector.setPort(http.port());
    connector.setIdleTimeout(TimeUnit.SECONDS.toMillis(http.idleTimeoutSeconds()));
    // Small replies must not wait ~40 ms for the client's delayed ACK (Nagle); Jetty's default.
    connector.setAcceptedTcpNoDelay(true);
    connector.addBean(new HeaderDeadline(connector.getScheduler(), http.headerTimeoutSeconds()));
    server.addBean(new NetworkConnectionLimit(http.maxConnections(), connector));
    return connector;
  }

  private static SslContextFactory.Server tlsContext(AgentConfig.Tls tls) {
    SslContextFactory.Server factory = new SslContextFactory.Server();
    try {
      factory.setSslContext(
          PemSslContexts.context(tls.clientCaFile(), tls.certFile(), tls.keyFile()));
    } catch (LinkException e) {
      throw new AgentException(AgentErrorCode.INVALID_CONFIG, "http.tls: " + e.getMessage(), e);
    }
    factory.setNeedClientAuth(tls.mutual());
    return factory;
  }
}
