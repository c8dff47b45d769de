package dev.kiln.cli.recommend;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.agent.config.AgentConfig;
import dev.kiln.artifact.Json;
import dev.kiln.link.protocol.BenchmarkReport;

/**
 * The part of {@code agent.json} that applies a measured configuration, in the agent's own keys
 * (docs/agent.md): {@code threads.inference} and {@code threads.predictors} (agent-wide) and the
 * model's {@code batching.models.<name>.maxBatchSize}. With batching on, {@code threads.http} is
 * raised to at least the measured clients, since a batch can hold no more requests than there are
 * HTTP threads.
 */
public final class ConfigSnippet {
  private ConfigSnippet() {}

  public static ObjectNode of(BenchmarkReport.Row row, int cores) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    ObjectNode threads =
        root.putObject("threads")
            .put("inference", row.config().threads())
            .put("predictors", row.config().predictors());
    if (row.config().batching()) {
      threads.put(
          "http", Math.max(AgentConfig.Threads.defaultHttp(cores), row.config().concurrency()));
    }
    root.putObject("batching")
        .putObject("models")
        .putObject(row.model())
        .put("maxBatchSize", row.config().maxBatchSize());
    return root;
  }
}
