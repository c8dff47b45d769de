package dev.kiln.cli.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.artifact.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Sends the task's inputs to the agents ({@code POST /invocations}, each with its own request id),
 * then, as whoever learns the truth later would, posts each request's true label to the agent that
 * served it ({@code POST /feedback}, in batches). The generator knows the labels because it made
 * the inputs.
 */
final class LabelledTraffic {
  /** Concurrent senders: enough to keep two agents busy without starving the rest of the loop. */
  private static final int SENDERS = 4;

  private static final int FEEDBACK_BATCH = 500;

  /**
   * One phase of traffic.
   *
   * @param fromMs when the first request was sent
   * @param untilMs just after the last answer and label
   * @param answered requests answered 200
   * @param failed requests not answered 200
   * @param correct answers whose top class was the true one (what the serving version got right)
   */
  record Phase(long fromMs, long untilMs, int answered, int failed, int correct, int labelled) {
    double accuracy() {
      return answered == 0 ? 0 : (double) correct / answered;
    }
  }

  private final List<String> agents;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  LabelledTraffic(List<String> agents) {
    this.agents = List.copyOf(agents);
  }

  /** Sends {@code n} requests, labels every answered one, and returns when all are labelled. */
  Phase send(String tag, int n, boolean drifted, long seed) throws Exception {
    long from = System.currentTimeMillis();
    SplittableRandom random = new SplittableRandom(seed);
    List<float[]> inputs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      inputs.add(LoopTask.draw(random, drifted));
    }
    int[] predicted = new int[n];
    ExecutorService pool = Executors.newFixedThreadPool(SENDERS);
    try {
      List<Future<?>> sent = new ArrayList<>();
      for (int s = 0; s < SENDERS; s++) {
        int sender = s;
        sent.add(
            pool.submit(
                () -> {
                  for (int i = sender; i < n; i += SENDERS) {
                    predicted[i] = invoke(agent(i), id(tag, i), inputs.get(i));
                  }
                  return null;
                }));
      }
      for (Future<?> f : sent) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    int answered = 0;
    int correct = 0;
    List<List<ObjectNode>> feedback = new ArrayList<>();
    agents.forEach(a -> feedback.add(new ArrayList<>()));
    for (int i = 0; i < n; i++) {
      if (predicted[i] < 0) {
        continue;
      }
      answered++;
      int truth = LoopTask.truth(inputs.get(i));
      correct += predicted[i] == truth ? 1 : 0;
      feedback
          .get(i % agents.size())
          .add(Json.MAPPER.createObjectNode().put("requestId", id(tag, i)).put("label", truth));
    }
    int labelled = 0;
    for (int a = 0; a < agents.size(); a++) {
      List<ObjectNode> items = feedback.get(a);
      for (int k = 0; k < items.size(); k += FEEDBACK_BATCH) {
        labelled +=
            label(agents.get(a), items.subList(k, Math.min(items.size(), k + FEEDBACK_BATCH)));
      }
    }
    return new Phase(
        from, System.currentTimeMillis() + 1, answered, n - answered, correct, labelled);
  }

  static String id(String tag, int i) {
    return "loop-" + tag + "-" + i;
  }

  private String agent(int i) {
    return agents.get(i % agents.size());
  }

  /** The answer's top class, or -1 when it was not answered. */
  private int invoke(String baseUrl, String requestId, float[] x) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.putObject("inputs").putArray("input").addArray().add(x[0]).add(x[1]);
    try {
      HttpResponse<byte[]> r =
          http.send(
              HttpRequest.newBuilder(URI.create(baseUrl + "/invocations"))
                  .header("Content-Type", "application/json")
                  .header("X-Kiln-Request-Id", requestId)
                  .timeout(Duration.ofSeconds(30))
                  .POST(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body)))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        return -1;
      }
      JsonNode out = Json.MAPPER.readTree(r.body()).path("outputs").path("output").path(0);
      return out.path(1).asDouble() > out.path(0).asDouble() ? 1 : 0;
    } catch (java.io.IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private int label(String baseUrl, List<ObjectNode> items) throws Exception {
    ObjectNode body = Json.MAPPER.createObjectNode();
    ArrayNode list = body.putArray("feedback");
    items.forEach(list::add);
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(baseUrl + "/feedback"))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 202) {
      throw new IllegalStateException(
          "POST /feedback answered " + r.statusCode() + ": " + r.body());
    }
    return items.size();
  }
}
