package dev.kiln.agent.http;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.serving.Metrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors the server raises before Kiln's code sees a request (a malformed request line, oversized
 * headers, a bad {@code Content-Length}, an unknown {@code Transfer-Encoding}, a body too slow),
 * written as Kiln's JSON error instead of Jetty's HTML page.
 */
final class JsonErrorHandler extends ErrorHandler {
  private final Metrics metrics;

  JsonErrorHandler(Metrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    int status = response.getStatus();
    String message = (String) request.getAttribute(ERROR_MESSAGE);
    if (request.getAttribute(ERROR_EXCEPTION) instanceof HttpException http) {
      status = http.getCode();
      message = message == null ? http.getReason() : message;
    }
    status = clientStatus(status);
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    String requestId = Exchange.requestId(request);
    response.getHeaders().put(Exchange.REQUEST_ID, requestId);
    byte[] body = body(status, message, requestId);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
    return true;
  }

  /**
   * 501 (unknown transfer coding) and 505 (unknown HTTP version) describe the client's request, not
   * a server fault, so they become 400: a 5xx would read as "the agent is broken, retry".
   */
  private static int clientStatus(int status) {
    return status == 501 || status == 505 ? 400 : status;
  }

  private byte[] body(int status, String message, String requestId) {
    if (status < 500) {
      metrics.recordClientError();
    }
    AgentErrorCode code = ErrorResponses.codeFor(status);
    String text =
        message == null || message.isBlank() ? HttpStatus.getMessage(status) : message.strip();
    try {
      return Exchange.errorBody(code, "HTTP " + status + ": " + text, requestId);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
