package dev.kiln.agent.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.UUID;

/** One HTTP exchange: bounded body reads, JSON replies, and the request id on every reply. */
final class Exchange {
  static final String REQUEST_ID = "X-Kiln-Request-Id";
  private static final long DISCARD_LIMIT = 64L * 1024 * 1024;

  private final HttpExchange http;
  private final String requestId;
  private boolean replied;

  Exchange(HttpExchange http) {
    this.http = http;
    String given = http.getRequestHeaders().getFirst(REQUEST_ID);
    this.requestId =
        given != null && given.matches("[A-Za-z0-9._-]{1,64}")
            ? given
            : UUID.randomUUID().toString();
  }

  String requestId() {
    return requestId;
  }

  String method() {
    return http.getRequestMethod();
  }

  String path() {
    return http.getRequestURI().getPath();
  }

  String header(String name) {
    return http.getRequestHeaders().getFirst(name);
  }

  /**
   * The client's certificate when TLS verified it against the trusted client CA; it authenticates
   * the caller like the bearer token does. The JDK server here speaks plain HTTP, so never.
   */
  Optional<X509Certificate> verifiedClientCertificate() {
    return Optional.empty();
  }

  /** Sets a header on the reply still to be sent. */
  void responseHeader(String name, String value) {
    http.getResponseHeaders().set(name, value);
  }

  boolean replied() {
    return replied;
  }

  /**
   * Reads the body, refusing (413) what is over the limit. An oversized body is read and discarded
   * (up to {@link #DISCARD_LIMIT}) before the reply, because clients that are still sending when
   * the server closes the connection never see the 413.
   */
  byte[] body(long maxBytes) throws IOException {
    String length = header("Content-Length");
    if (length != null) {
      try {
        long declared = Long.parseLong(length.strip());
        if (declared > maxBytes) {
          if (declared <= maxBytes + DISCARD_LIMIT) {
            discard(declared);
          }
          throw tooLarge(maxBytes);
        }
      } catch (NumberFormatException ignored) {
        // The server rejects malformed lengths itself; fall through to the counted read.
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = http.getRequestBody()) {
      int n;
      while ((n = in.read(buf)) > 0) {
        if (out.size() + (long) n > maxBytes) {
          discard(DISCARD_LIMIT);
          throw tooLarge(maxBytes);
        }
        out.write(buf, 0, n);
      }
    }
    return out.toByteArray();
  }

  private void discard(long limit) throws IOException {
    byte[] buf = new byte[64 * 1024];
    long total = 0;
    InputStream in = http.getRequestBody();
    int n;
    while (total < limit && (n = in.read(buf)) > 0) {
      total += n;
    }
  }

  JsonNode jsonBody(long maxBytes) throws IOException {
    return RequestDecoder.parse(body(maxBytes));
  }

  private static AgentException tooLarge(long maxBytes) {
    return new AgentException(
        AgentErrorCode.PAYLOAD_TOO_LARGE,
        "request body is larger than http.maxBodyBytes ("
            + maxBytes
            + " bytes); send fewer rows per request");
  }

  void json(int status, byte[] body) throws IOException {
    send(status, "application/json", body);
  }

  void json(int status, Object value) throws IOException {
    json(status, RequestDecoder.MAPPER.writeValueAsBytes(value));
  }

  void text(int status, String contentType, String body) throws IOException {
    send(status, contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  void error(AgentErrorCode code, String message) throws IOException {
    var node = RequestDecoder.MAPPER.createObjectNode();
    node.put("code", code.name());
    node.put("message", message);
    node.put("requestId", requestId);
    node.put("retryable", code.retryable());
    json(ErrorResponses.status(code), node);
  }

  private void send(int status, String contentType, byte[] body) throws IOException {
    replied = true;
    http.getResponseHeaders().set("Content-Type", contentType);
    http.getResponseHeaders().set(REQUEST_ID, requestId);
    http.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = http.getResponseBody()) {
        out.write(body);
      }
    }
  }

  void close() {
    http.close();
  }
}
