package dev.kiln.bench.agent;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * Sends one fixed body (the model's sample input) to {@code POST /invocations}, or another path,
 * over HTTP/1.1 keep-alive.
 */
public final class Invoker {
  private final HttpClient client;
  private final HttpRequest request;

  public Invoker(String baseUrl, String body, Executor executor) {
    this(baseUrl, "application/json", body.getBytes(StandardCharsets.UTF_8), executor);
  }

  public Invoker(String baseUrl, String contentType, byte[] body, Executor executor) {
    this(baseUrl, "/invocations", contentType, body, Map.of(), executor);
  }

  /**
   * @param headers sent with every request besides Content-Type
   */
  public Invoker(
      String baseUrl,
      String path,
      String contentType,
      byte[] body,
      Map<String, String> headers,
      Executor executor) {
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2));
    if (executor != null) {
      b.executor(executor);
    }
    this.client = b.build();
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create(baseUrl + path))
            .header("Content-Type", contentType)
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(r::header);
    this.request = r.build();
  }

  /** One request; throws unless the agent answered 200, so a benchmark never counts errors. */
  public void invoke() throws IOException, InterruptedException {
    // Bytes: an Open Inference Protocol binary reply is not text.
    HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw new IOException(
          "POST "
              + request.uri().getPath()
              + " answered "
              + r.statusCode()
              + ": "
              + new String(r.body(), StandardCharsets.UTF_8));
    }
  }

  /** One request that may fail (agent still starting); true when it answered 200. */
  public boolean tryInvoke() throws InterruptedException {
    try {
      return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException notYet) {
      return false;
    }
  }
}
