package dev.kiln.cli.demo;

import dev.kiln.artifact.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Steady traffic to every device while a rollout runs, as production traffic would be: the canary's
 * health gate judges the agents' own reports about serving it.
 */
final class DemoLoad implements AutoCloseable {
  private final List<String> baseUrls;
  private final byte[] body;
  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicInteger answered = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final Thread thread;

  DemoLoad(List<String> baseUrls, Path reference) throws java.io.IOException {
    this.baseUrls = baseUrls;
    this.body = DemoTraffic.body(Json.MAPPER.readTree(reference.toFile()));
    this.thread = new Thread(this::loop, "demo-load");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * As fast as one client goes, so every heartbeat window holds enough requests for a p95 that one
   * slow request cannot swing.
   */
  private void loop() {
    while (running.get()) {
      for (String url : baseUrls) {
        try {
          HttpResponse<Void> r =
              http.send(
                  HttpRequest.newBuilder(URI.create(url + "/invocations"))
                      .header("Content-Type", "application/json")
                      .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                      .build(),
                  HttpResponse.BodyHandlers.discarding());
          (r.statusCode() == 200 ? answered : failed).incrementAndGet();
        } catch (InterruptedException e) {
          return;
        } catch (Exception e) {
          failed.incrementAndGet();
        }
      }
    }
  }

  int answered() {
    return answered.get();
  }

  int failed() {
    return failed.get();
  }

  /** Stops after the request in flight, so {@link #answered} is final. */
  @Override
  public void close() throws InterruptedException {
    running.set(false);
    thread.join(10_000);
  }
}
