package dev.kiln.cloud.service.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * On a follower replica, hands each call that needs the live console (devices, deployments and
 * their events, every POST) to the leader's API and copies the reply back, streams included. The
 * leader authenticates, runs and audits the call as if it had come to it directly; so a POST
 * accepted here is queued once, into the inbox the replicas share, by the leader. A call is
 * forwarded at most once (a replica that got a forwarded call while it no longer leads answers 503
 * rather than forward it again). With no leader (a failover: the lease expired and no follower has
 * taken it yet) or a leader that does not answer, the call is refused with 503 and {@code
 * Retry-After}; it is never retried here, so a POST is never sent twice.
 */
public final class LeaderRelay {
  /** Marks a forwarded call; its value names the replica that forwarded it. */
  public static final String FORWARDED = "X-Kiln-Forwarded-By";

  /** What a refused call is told to wait: one lease renewal, when followers next try. */
  public static final int RETRY_AFTER_SECONDS = 3;

  /** The replica that leads now: its name and API base URL (ending in /api/v1). */
  public record Leader(String holder, String apiUrl) {}

  private static final Duration CONNECT = Duration.ofSeconds(2);
  private static final Duration REPLY = Duration.ofSeconds(30);
  private static final List<String> REQUEST_HEADERS =
      List.of("Authorization", "Content-Type", "Accept", "Last-Event-ID");
  private static final List<String> REPLY_HEADERS =
      List.of("Content-Type", "Cache-Control", "Retry-After", "Allow", "Location");

  private final Supplier<Optional<Leader>> leader;
  private final String self;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1) // the API speaks HTTP/1.1; no h2c upgrade
          .connectTimeout(CONNECT)
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  /**
   * @param leader looks the leader up (each call: a leader change is seen at once)
   * @param self this replica's name, sent with each forwarded call
   */
  public LeaderRelay(Supplier<Optional<Leader>> leader, String self) {
    this.leader = leader;
    this.self = self;
  }

  /** Forwards the call and writes the leader's reply; throws a 503 {@link ApiException} if none. */
  void forward(Request request, Response response, Callback callback, String path)
      throws IOException {
    if (request.getHeaders().get(FORWARDED) != null) {
      throw unavailable(
          "this replica (" + self + ") no longer leads; the call was forwarded to it as leader");
    }
    Leader to;
    try {
      to = leader.get().orElse(null);
    } catch (RuntimeException e) {
      throw unavailable("cannot look up the leader: " + e.getMessage());
    }
    if (to == null) {
      throw unavailable(
          "no replica leads right now (a failover: the leader's lease expired and no other"
              + " replica has taken it yet)");
    }
    HttpResponse<InputStream> reply;
    try {
      reply = http.send(outgoing(request, path, to), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw unavailable(
          "the leader " + to.holder() + " at " + to.apiUrl() + " did not answer: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable("interrupted while waiting for the leader " + to.holder());
    }
    response.setStatus(reply.statusCode());
    for (String h : REPLY_HEADERS) {
      reply.headers().firstValue(h).ifPresent(v -> response.getHeaders().put(h, v));
    }
    // Copied as it arrives, so an event stream reaches the caller event by event.
    try (InputStream in = reply.body();
        OutputStream out = Content.Sink.asOutputStream(response)) {
      byte[] buf = new byte[8192];
      for (int n; (n = in.read(buf)) >= 0; ) {
        out.write(buf, 0, n);
        out.flush();
      }
    }
    callback.succeeded();
  }

  private HttpRequest outgoing(Request request, String path, Leader to) throws IOException {
    String query = request.getHttpURI().getQuery();
    String suffix = path.substring(ApiServer.BASE.length());
    URI uri = URI.create(to.apiUrl() + suffix + (query == null ? "" : "?" + query));
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).header(FORWARDED, self);
    boolean stream = suffix.endsWith("/events");
    if (!stream) {
      b.timeout(REPLY); // an event stream lasts until its deployment ends
    }
    for (String h : REQUEST_HEADERS) {
      String v = request.getHeaders().get(h);
      if (v != null) {
        b.header(h, v);
      }
    }
    if ("GET".equals(request.getMethod())) {
      return b.GET().build();
    }
    byte[] body = Content.Source.asInputStream(request).readNBytes(ApiCall.MAX_BODY_BYTES + 1);
    return b.method(request.getMethod(), HttpRequest.BodyPublishers.ofByteArray(body)).build();
  }

  private static ApiException unavailable(String why) {
    return new ApiException(
        503,
        why,
        "retry in "
            + RETRY_AFTER_SECONDS
            + " s; another replica takes over within 13 s of a leader's death (docs/scale.md,"
            + " \"Cloud service replicas\")");
  }
}
