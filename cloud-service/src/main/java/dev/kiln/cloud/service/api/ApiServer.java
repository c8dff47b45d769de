package dev.kiln.cloud.service.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.cloud.service.auth.Caller;
import dev.kiln.cloud.service.auth.TokenStore;
import dev.kiln.json.JsonMappers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's HTTP API on Jetty's core server (no servlet API, no framework, as the agent's):
 * {@link Route}s under {@link #BASE}, bearer tokens checked against the route's role, every POST
 * audited, every failure a JSON {@code {"error", "fix"}}. Paths outside {@link #BASE} go to an
 * optional fallback handler (the web console's static files), or 404.
 *
 * <p>On a service replica (PostgreSQL store) the routes that need the live console are served only
 * while this replica leads ({@link #lead}); while it follows, a call that matches none of the other
 * routes goes to the {@link LeaderRelay}, which hands it to the leader.
 */
public final class ApiServer implements AutoCloseable {
  public static final String BASE = "/api/v1";
  private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

  /** Enough workers for a few dozen open event streams beside ordinary calls. */
  private static final int MAX_THREADS = 64;

  private final Server server;
  private final ServerConnector connector;
  private final List<Route> routes;
  private final TokenStore tokens;
  private final CallAudit audit;
  private final Handler fallback;
  private final LeaderRelay relay;
  private final ObjectMapper json = JsonMappers.plain();

  /** The routes of the current leadership term; null while following (replicas only). */
  private volatile List<Route> leaderRoutes;

  public ApiServer(
      String bind,
      int port,
      List<Route> routes,
      TokenStore tokens,
      CallAudit audit,
      Handler fallback) {
    this(bind, port, routes, tokens, audit, fallback, null);
  }

  /**
   * @param relay null for a single service (every route always served here); else the replica's way
   *     to the leader, for calls no route serves while it follows
   */
  public ApiServer(
      String bind,
      int port,
      List<Route> routes,
      TokenStore tokens,
      CallAudit audit,
      Handler fallback,
      LeaderRelay relay) {
    this.relay = relay;
    this.routes = List.copyOf(routes);
    this.tokens = tokens;
    this.audit = audit;
    this.fallback = fallback;
    QueuedThreadPool pool = new QueuedThreadPool(MAX_THREADS, 4);
    pool.setName("kiln-api");
    pool.setDaemon(true);
    this.server = new Server(pool);
    this.connector = new ServerConnector(server, 1, 1);
    connector.setHost(bind);
    connector.setPort(port);
    server.addConnector(connector);
    server.setHandler(new Dispatch());
    if (fallback != null) {
      // Started and stopped with the server, though it sits behind the dispatch.
      fallback.setServer(server);
      server.addBean(fallback);
    }
  }

  public void start() throws IOException {
    try {
      server.start();
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("cannot start the API server: " + e.getMessage(), e);
    }
  }

  /** The bound port (the chosen one when started with port 0). */
  public int port() {
    return connector.getLocalPort();
  }

  public InetSocketAddress address() {
    return new InetSocketAddress(connector.getHost(), port());
  }

  /** Every route served now, for the contract test against the OpenAPI document. */
  public List<Route> routes() {
    List<Route> term = leaderRoutes;
    if (term == null) {
      return routes;
    }
    List<Route> all = new ArrayList<>(routes);
    all.addAll(term);
    return all;
  }

  /**
   * Starts serving the routes that need the live console (this replica leads), or with null stops
   * (it follows: those calls go to the leader).
   */
  public void lead(List<Route> termRoutes) {
    leaderRoutes = termRoutes == null ? null : List.copyOf(termRoutes);
  }

  private final class Dispatch extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      String path = request.getHttpURI().getPath();
      if (path == null || !(path.equals(BASE) || path.startsWith(BASE + "/"))) {
        if (fallback != null) {
          return fallback.handle(request, response, callback);
        }
        write(response, callback, 404, error("no such page: " + path, "the API is under " + BASE));
        return true;
      }
      serve(request, response, callback, path);
      return true;
    }
  }

  private void serve(Request request, Response response, Callback callback, String path) {
    String method = request.getMethod();
    List<String> segments = List.of(path.substring(BASE.length() + 1).split("/", -1));
    Route route = null;
    Map<String, String> params = null;
    List<String> allowed = new ArrayList<>();
    List<Route> term = leaderRoutes;
    List<Route> serving = new ArrayList<>(routes);
    if (term != null) {
      serving.addAll(term);
    }
    for (Route r : serving) {
      Map<String, String> m = r.match(segments);
      if (m != null) {
        allowed.add(r.method());
        if (r.method().equals(method)) {
          route = r;
          params = m;
        }
      }
    }
    if (route == null && relay != null && term == null) {
      // Following: whatever no local route serves (the console's routes, every POST) is the
      // leader's, and the leader answers 404 or 405 for what nobody serves.
      try {
        relay.forward(request, response, callback, path);
      } catch (Exception e) {
        ApiException a =
            e instanceof ApiException x
                ? x
                : new ApiException(503, "forwarding to the leader failed: " + e, "retry later");
        if (response.isCommitted()) {
          callback.failed(e);
        } else {
          write(response, callback, a.status(), error(a.getMessage(), a.fix()));
        }
      }
      return;
    }
    if (route == null) {
      closeIfBodyUnread(request, response);
      if (allowed.isEmpty()) {
        write(
            response,
            callback,
            404,
            error("no API operation at " + path, "see " + BASE + "/openapi.json"));
      } else {
        response.getHeaders().put(HttpHeader.ALLOW, String.join(", ", allowed));
        write(
            response,
            callback,
            405,
            error(method + " is not allowed on " + path, "use " + String.join(" or ", allowed)));
      }
      return;
    }
    Caller caller = null;
    int status;
    String detail;
    try {
      if (route.role() != null) {
        caller = authenticate(request);
        if (!caller.role().includes(route.role())) {
          throw new ApiException(
              403,
              "token '"
                  + caller.name()
                  + "' has role "
                  + caller.role().wireName()
                  + "; this needs "
                  + route.role().wireName(),
              "ask an admin for a token with role "
                  + route.role().wireName()
                  + " (kiln cloud token create)");
        }
      }
      ApiCall call = new ApiCall(request, response, caller, params, query(request), json);
      Route.Reply reply = route.handler().handle(call);
      if (reply == Route.Reply.WRITTEN) {
        callback.succeeded();
        status = 200;
        detail = null;
      } else {
        status = reply.status();
        detail = requestId(reply.body());
        write(response, callback, reply.status(), reply.body());
      }
    } catch (Exception e) {
      ApiException a = ErrorStatus.of(e);
      if (a == null) {
        LOG.error("{} {} failed", method, path, e);
        a = new ApiException(500, "internal error: " + e, "see the service log; please report it");
      }
      status = a.status();
      detail = a.getMessage();
      if (response.isCommitted()) {
        callback.failed(e);
      } else {
        closeIfBodyUnread(request, response);
        write(response, callback, a.status(), error(a.getMessage(), a.fix()));
      }
    }
    if (route.method().equals("POST")) {
      try {
        audit.record(caller, route.method() + " " + route.template(), path, status, detail);
      } catch (RuntimeException e) {
        LOG.error("cannot audit {} {} by {}", method, path, caller, e);
      }
    }
  }

  /**
   * An error answered before the request's body was read (a 401 or 403 is decided from the headers)
   * leaves that body on the connection; Jetty then closes the connection after the reply, and a
   * client that reuses it for its next POST reads nothing back (the JDK client does not retry a
   * POST). Saying so in the reply makes the client open a new connection instead.
   */
  private static void closeIfBodyUnread(Request request, Response response) {
    if (request.getLength() != 0) {
      response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
    }
  }

  private Caller authenticate(Request request) {
    String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new ApiException(
          401,
          "no bearer token",
          "send Authorization: Bearer TOKEN; the first admin token is in STATE/admin.token");
    }
    Caller c = tokens.authenticate(header.substring(7).strip());
    if (c == null) {
      throw new ApiException(
          401, "unknown token", "check the token, or create one with kiln cloud token create");
    }
    return c;
  }

  private static Map<String, String> query(Request request) {
    Map<String, String> out = new HashMap<>();
    Fields fields = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
    for (Fields.Field f : fields) {
      out.put(f.getName(), f.getValue());
    }
    return out;
  }

  private static String requestId(Object body) {
    return body instanceof Map<?, ?> m && m.get("requestId") instanceof String id ? id : null;
  }

  static Map<String, String> error(String error, String fix) {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    m.put("error", error);
    m.put("fix", fix);
    return m;
  }

  private void write(Response response, Callback callback, int status, Object body) {
    byte[] bytes;
    try {
      bytes = json.writeValueAsBytes(body);
    } catch (IOException e) {
      callback.failed(e);
      return;
    }
    response.setStatus(status);
    if (status == 503) {
      response
          .getHeaders()
          .put(HttpHeader.RETRY_AFTER, String.valueOf(LeaderRelay.RETRY_AFTER_SECONDS));
    }
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.write(true, java.nio.ByteBuffer.wrap(bytes), callback);
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      LOG.warn("stopping the API server failed", e);
    }
  }
}
