package dev.kiln.cloud.service.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.cloud.service.auth.Caller;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * One call as a handler sees it: who calls, the path and query parameters, the JSON body, and for a
 * streaming reply the response itself. Runs on a Jetty worker thread, so reading and writing may
 * block.
 */
public final class ApiCall {
  /** Request bodies are small JSON documents; anything larger is refused before it is parsed. */
  static final int MAX_BODY_BYTES = 64 * 1024;

  private final Request request;
  private final Response response;
  private final Caller caller;
  private final Map<String, String> path;
  private final Map<String, String> query;
  private final ObjectMapper json;

  ApiCall(
      Request request,
      Response response,
      Caller caller,
      Map<String, String> path,
      Map<String, String> query,
      ObjectMapper json) {
    this.request = request;
    this.response = response;
    this.caller = caller;
    this.path = path;
    this.query = query;
    this.json = json;
  }

  /** Null for a route that needs no token. */
  public Caller caller() {
    return caller;
  }

  public String path(String name) {
    return path.get(name);
  }

  /** A query parameter, or null when absent or empty. */
  public String query(String name) {
    String v = query.get(name);
    return v == null || v.isEmpty() ? null : v;
  }

  /** An integer query parameter within [min, max], {@code fallback} when absent. */
  public int intQuery(String name, int fallback, int min, int max) {
    String v = query(name);
    if (v == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiException.badRequest(
        name + " must be a whole number from " + min + " to " + max + ", got " + v,
        "pass ?" + name + "=" + fallback);
  }

  /** The body as a JSON object; 400 when it is missing, too large or not JSON. */
  public JsonNode body() throws IOException {
    long declared = request.getLength();
    if (declared > MAX_BODY_BYTES) {
      throw new ApiException(413, "body larger than " + MAX_BODY_BYTES + " bytes", "send less");
    }
    String text = Content.Source.asString(request, StandardCharsets.UTF_8);
    if (text.length() > MAX_BODY_BYTES) {
      throw new ApiException(413, "body larger than " + MAX_BODY_BYTES + " bytes", "send less");
    }
    try {
      JsonNode node = json.readTree(text);
      if (node == null || !node.isObject()) {
        throw new IOException("not a JSON object");
      }
      return node;
    } catch (IOException e) {
      throw ApiException.badRequest(
          "the body is not a JSON object: " + e.getMessage(),
          "send Content-Type: application/json with a JSON object, as the OpenAPI document shows");
    }
  }

  /** Starts a streamed reply (server-sent events) and returns its body stream. */
  public OutputStream stream(String contentType) {
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    return Content.Sink.asOutputStream(response);
  }

  public ObjectMapper json() {
    return json;
  }
}
