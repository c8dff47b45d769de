package dev.kiln.agent.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.json.JsonTrees;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One HTTP exchange whose body has already been read (by {@link BodyReader}, without holding a
 * thread): bounded body access, JSON replies, and the request id on every reply.
 */
final class Exchange {
  static final String REQUEST_ID = "X-Kiln-Request-Id";

  private final Request request;
  private final Response response;
  private final Callback done;
  private final byte[] body;
  private final int bodyLength;
  private final String requestId;
  private boolean replied;

  /**
   * An exchange with no body yet (refused on its headers, or still to be read).
   *
   * @param done completed once the reply is written (or the exchange is abandoned)
   */
  Exchange(Request request, Response response, Callback done) {
    this(request, response, done, new byte[0], 0, requestId(request));
  }

  private Exchange(
      Request request,
      Response response,
      Callback done,
      byte[] body,
      int bodyLength,
      String requestId) {
    this.request = request;
    this.response = response;
    this.done = done;
    this.body = body;
    this.bodyLength = bodyLength;
    this.requestId = requestId;
  }

  /**
   * The same exchange, same request id, once its body has arrived: the first {@code length} bytes
   * of {@code buffer}, read only until the exchange is served.
   */
  Exchange withBody(byte[] buffer, int length) {
    return new Exchange(request, response, done, buffer, length, requestId);
  }

  /** The client's request id if it is a safe token, else a new UUID. */
  static String requestId(Request request) {
    String given = request.getHeaders().get(REQUEST_ID);
    return given != null && given.matches("[A-Za-z0-9._-]{1,64}")
        ? given
        : UUID.randomUUID().toString();
  }

  String requestId() {
    return requestId;
  }

  String method() {
    return request.getMethod();
  }

  String path() {
    return request.getHttpURI().getDecodedPath();
  }

  String header(String name) {
    return request.getHeaders().get(name);
  }

  /**
   * The client's certificate when the connection is mutual TLS; the TLS handshake has already
   * checked it against {@code http.tls.clientCaFile}. Empty over plain HTTP or one-way TLS.
   */
  Optional<X509Certificate> verifiedClientCertificate() {
    if (!(request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE)
        instanceof EndPoint.SslSessionData tls)) {
      return Optional.empty();
    }
    X509Certificate[] chain = tls.peerCertificates();
    return chain == null || chain.length == 0 ? Optional.empty() : Optional.of(chain[0]);
  }

  /** Sets a header on the reply still to be sent. */
  void responseHeader(String name, String value) {
    response.getHeaders().put(name, value);
  }

  boolean replied() {
    return replied;
  }

  /** The body as an array of its own, refusing (413) one over {@code maxBytes}. */
  byte[] body(long maxBytes) throws IOException {
    return bodyInPlace(maxBytes).exact();
  }

  /**
   * The body where it was read, without a copy, refusing (413) one over {@code maxBytes}: its
   * buffer goes to another request once this one is served, so nothing may keep it.
   */
  RequestBody bodyInPlace(long maxBytes) {
    if (bodyLength > maxBytes) {
      throw tooLarge(maxBytes);
    }
    return new RequestBody(body, bodyLength);
  }

  JsonNode jsonBody(long maxBytes) throws IOException {
    return RequestDecoder.parse(bodyInPlace(maxBytes));
  }

  static AgentException tooLarge(long maxBytes) {
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
    json(
        status,
        value instanceof JsonNode tree
            ? JsonTrees.write(tree)
            : RequestDecoder.mapper().writeValueAsBytes(value));
  }

  /** A reply that is not JSON (the binary tensor extension, for one). */
  void bytes(int status, String contentType, byte[] body) {
    send(status, contentType, body);
  }

  void text(int status, String contentType, String body) throws IOException {
    send(status, contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  void error(AgentErrorCode code, String message) throws IOException {
    boolean openInference = OpenInferenceHandler.owns(path());
    json(ErrorResponses.status(code), errorBody(code, message, requestId, openInference));
  }

  static byte[] errorBody(AgentErrorCode code, String message, String requestId)
      throws IOException {
    return errorBody(code, message, requestId, false);
  }

  /**
   * @param openInference also carry the message as {@code "error"}, the one field the Open
   *     Inference Protocol's error object has (its clients read nothing else)
   */
  static byte[] errorBody(
      AgentErrorCode code, String message, String requestId, boolean openInference)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128 + message.length());
    try (JsonGenerator gen = RequestDecoder.FACTORY.createGenerator(out)) {
      gen.writeStartObject();
      if (openInference) {
        gen.writeStringField("error", message);
      }
      gen.writeStringField("code", code.name());
      gen.writeStringField("message", message);
      gen.writeStringField("requestId", requestId);
      gen.writeBooleanField("retryable", code.retryable());
      gen.writeEndObject();
    }
    return out.toByteArray();
  }

  /** Writes the whole reply without waiting for the client to read it; completes the exchange. */
  private void send(int status, String contentType, byte[] body) {
    replied = true;
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    response.getHeaders().put(REQUEST_ID, requestId);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), done);
  }

  /** Ends an exchange that got no reply (the client went away): the connection is closed. */
  void close() {
    if (!replied) {
      replied = true;
      done.failed(new EofException("request " + requestId + " ended without a reply"));
    }
  }
}
