package dev.kiln.cli.demo;

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
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A client that knows the truth: a pool of mlp inputs, each labelled with the class a reference
 * agent gave it, sent to the agents in turn; every answer gets its label by {@code POST /feedback}.
 * The client scores each answer itself (label against the argmax of the outputs it received) and
 * keeps per version the labels it sent and how many were right, to compare with what the agents
 * report.
 */
final class LabelledTraffic {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** One input of shape [1, 8] and its label. */
  record Example(float[] input, String label) {}

  /** Labels sent per version: {labelled, correct}. */
  private final Map<String, long[]> tally = new TreeMap<>();

  private final List<Example> pool;

  private LabelledTraffic(List<Example> pool) {
    this.pool = List.copyOf(pool);
  }

  /**
   * Draws seeded random inputs, labels each with the class {@code reference} answers, and keeps as
   * many in class 2 as in classes 0 and 1 together (at least {@code perSide} of each), so a model
   * that swaps classes 0 and 1 is right on about half of the pool, and a model that agrees with the
   * reference on all of it.
   */
  static LabelledTraffic labelledBy(DemoAgent.Setup reference, int perSide) throws Exception {
    Random random = new Random(14);
    List<Example> swapped = new ArrayList<>();
    List<Example> kept = new ArrayList<>();
    for (int i = 0; i < 2000 && (swapped.size() < perSide || kept.size() < perSide); i++) {
      float[] x = new float[8];
      for (int k = 0; k < x.length; k++) {
        x[k] = (float) (random.nextGaussian() * 2);
      }
      JsonNode answer = Json.MAPPER.readTree(invoke(reference, x).body());
      String label = argmax(answer);
      List<Example> side = label.equals("2") ? kept : swapped;
      if (side.size() < perSide) {
        side.add(new Example(x, label));
      }
    }
    if (swapped.size() < perSide || kept.size() < perSide) {
      throw new IllegalStateException(
          "the sample mlp put "
              + swapped.size()
              + " inputs in classes 0/1 and "
              + kept.size()
              + " in class 2 of 2000; need "
              + perSide
              + " of each");
    }
    // One side after the other, not interleaved: requests go to the agents in turn, so with two
    // agents an interleaved pool would give one agent only classes 0 and 1.
    List<Example> pool = new ArrayList<>(swapped);
    pool.addAll(kept);
    return new LabelledTraffic(pool);
  }

  /** Until {@code running} is cleared: one labelled request to each agent in turn. */
  void run(Collection<DemoAgent.Setup> agents, AtomicBoolean running) {
    int next = 0;
    while (running.get()) {
      for (DemoAgent.Setup agent : agents) {
        Example e = pool.get(next++ % pool.size());
        try {
          HttpResponse<String> r = invoke(agent, e.input());
          if (r.statusCode() != 200) {
            continue;
          }
          JsonNode body = Json.MAPPER.readTree(r.body());
          String feedback =
              "{\"requestId\": \""
                  + body.get("requestId").asText()
                  + "\", \"label\": \""
                  + e.label()
                  + "\"}";
          HttpResponse<Void> stored =
              HTTP.send(
                  HttpRequest.newBuilder(URI.create(agent.baseUrl() + "/feedback"))
                      .header("Content-Type", "application/json")
                      .POST(HttpRequest.BodyPublishers.ofString(feedback))
                      .build(),
                  HttpResponse.BodyHandlers.discarding());
          if (stored.statusCode() == 202) {
            count(body.get("version").asText(), e.label().equals(argmax(body)));
          }
        } catch (Exception ex) {
          // An agent switching versions may refuse a request; the loop goes on.
        }
      }
    }
  }

  private synchronized void count(String version, boolean correct) {
    long[] t = tally.computeIfAbsent(version, v -> new long[2]);
    t[0]++;
    if (correct) {
      t[1]++;
    }
  }

  /** Per version, {labelled, correct} as this client counted them. */
  synchronized Map<String, long[]> tally() {
    Map<String, long[]> copy = new TreeMap<>();
    tally.forEach((v, t) -> copy.put(v, t.clone()));
    return copy;
  }

  synchronized long labelled(String version) {
    long[] t = tally.get(version);
    return t == null ? 0 : t[0];
  }

  private static HttpResponse<String> invoke(DemoAgent.Setup agent, float[] x) throws Exception {
    ObjectNode body = Json.MAPPER.createObjectNode();
    ArrayNode row = body.putObject("inputs").putArray("input").addArray();
    for (float v : x) {
      row.add(v);
    }
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(agent.baseUrl() + "/invocations"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The class an answer gives: the argmax of the first output's only row. */
  private static String argmax(JsonNode answer) {
    JsonNode row = answer.path("outputs").path("output").path(0);
    int best = 0;
    for (int i = 1; i < row.size(); i++) {
      if (row.get(i).asDouble() > row.get(best).asDouble()) {
        best = i;
      }
    }
    return Integer.toString(best);
  }
}
