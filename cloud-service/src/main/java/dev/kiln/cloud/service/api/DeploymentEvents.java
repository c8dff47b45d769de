package dev.kiln.cloud.service.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.cloud.service.deploy.Deployments;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * GET /deployments/{id}/events: server-sent events. One {@code deployment} event with the summary
 * whenever it changes (looked at every {@link #POLL_MS}), a comment line every {@link
 * #HEARTBEAT_MS} so proxies and clients see the stream is alive, and the end of the stream after
 * the deployment reaches a final state. A client that goes away ends it at the next write.
 */
final class DeploymentEvents {
  static final long POLL_MS = 500;
  static final long HEARTBEAT_MS = 15_000;

  private final Deployments deployments;

  DeploymentEvents(Deployments deployments) {
    this.deployments = deployments;
  }

  Route.Reply stream(ApiCall call) throws IOException, InterruptedException {
    String id = call.path("id");
    Map<String, Object> summary = deployments.summary(id);
    if (summary == null) {
      throw ApiException.notFound("no deployment " + id, "list them with GET /deployments");
    }
    ObjectMapper json = call.json();
    try (OutputStream out = call.stream("text/event-stream")) {
      String last = null;
      long lastWrite = 0;
      while (true) {
        String now = json.writeValueAsString(summary);
        long t = System.currentTimeMillis();
        if (!now.equals(last)) {
          write(out, "event: deployment\ndata: " + now + "\n\n");
          last = now;
          lastWrite = t;
          if (Deployments.FINAL.contains(String.valueOf(summary.get("state")))) {
            return Route.Reply.WRITTEN;
          }
        } else if (t - lastWrite >= HEARTBEAT_MS) {
          write(out, ": heartbeat\n\n");
          lastWrite = t;
        }
        Thread.sleep(POLL_MS);
        Map<String, Object> next = deployments.summary(id);
        summary = next != null ? next : summary;
      }
    }
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
