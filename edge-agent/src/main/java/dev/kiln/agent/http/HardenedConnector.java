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
final class HardenedConnector {
  /** One acceptor and one selector are plenty for an edge device's API. */
  static final int ACCEPTORS = 1;

  static final int SELECTORS = 1;

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
