package dev.kiln.bench.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.agent.config.AgentConfig;
import dev.kiln.agent.config.ConfigLoader;
import dev.kiln.artifact.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Agent configs for the benchmarks: one model, loopback, a fresh state folder, and explicit thread
 * and batching settings so the direct baseline can use the same ones.
 *
 * @param maxBatchSize 1 turns dynamic batching off
 * @param brokerUrl null for no cloud link; else capture of every request, inputs and outputs
 * @param capturePercent share of requests captured when a broker is set
 * @param httpThreads HTTP worker threads, 0 for the agent's default
 * @param captureDurability {@code cloud.capture.durability}; null for the agent's default (async)
 */
public record AgentSetup(
    BenchModel model,
    int port,
    int inferenceThreads,
    int maxBatchSize,
    int maxQueueDelayMs,
    String brokerUrl,
    double capturePercent,
    int httpThreads,
    String captureDurability) {

  public static AgentSetup of(BenchModel model, int threads, int maxBatchSize) {
    return new AgentSetup(model, 0, threads, maxBatchSize, 2, null, 0, 0, null);
  }

  /** Capture answers only once the record is fsynced ({@code sync}) or at once ({@code async}). */
  public AgentSetup withCaptureDurability(String durability) {
    return new AgentSetup(
        model,
        port,
        inferenceThreads,
        maxBatchSize,
        maxQueueDelayMs,
        brokerUrl,
        capturePercent,
        httpThreads,
        durability);
  }

  public AgentSetup withCloud(String url, double percent) {
    return new AgentSetup(
        model,
        port,
        inferenceThreads,
        maxBatchSize,
        maxQueueDelayMs,
        url,
        percent,
        httpThreads,
        captureDurability);
  }

  public AgentSetup withPort(int newPort) {
    return new AgentSetup(
        model,
        newPort,
        inferenceThreads,
        maxBatchSize,
        maxQueueDelayMs,
        brokerUrl,
        capturePercent,
        httpThreads,
        captureDurability);
  }

  /** HTTP worker threads; 0 keeps the agent's default (max(4, 2 x cores)). */
  public AgentSetup withHttpThreads(int n) {
    return new AgentSetup(
        model,
        port,
        inferenceThreads,
        maxBatchSize,
        maxQueueDelayMs,
        brokerUrl,
        capturePercent,
        n,
        captureDurability);
  }

  /** The config as agent.json text, with its state under {@code dir}. */
  public String json(Path dir, String deviceId) throws IOException {
    ObjectNode c = Json.MAPPER.createObjectNode();
    c.put("deviceId", deviceId);
    c.put("stateDir", Files.createDirectories(dir.resolve("state")).toAbsolutePath().toString());
    c.putObject("http").put("host", "127.0.0.1").put("port", port);
    c.putObject("security")
        .put("trustedKeysDir", model.trustedKeys().toAbsolutePath().toString())
        .put("requireSignature", true);
    ObjectNode models = c.putObject("models").put("defaultModel", model.name());
    models.putArray("artifacts").add(model.artifactFile().toAbsolutePath().toString());
    c.putObject("batching")
        .put("maxBatchSize", maxBatchSize)
        .put("maxQueueDelayMs", maxQueueDelayMs);
    ObjectNode threads = c.putObject("threads").put("inference", inferenceThreads);
    if (httpThreads > 0) {
      threads.put("http", httpThreads);
    }
    if (brokerUrl != null) {
      ObjectNode cloud =
          c.putObject("cloud").put("brokerUrl", brokerUrl).put("heartbeatSeconds", 5);
      ObjectNode capture =
          cloud.putObject("capture").put("samplePercent", capturePercent).put("mode", "both");
      if (captureDurability != null) {
        capture.put("durability", captureDurability);
      }
    }
    return Json.MAPPER.writeValueAsString(c);
  }

  public AgentConfig config(Path dir, String deviceId) throws IOException {
    return ConfigLoader.parse(json(dir, deviceId), dir);
  }
}
