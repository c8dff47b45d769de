package dev.kiln.cli.recommend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.config.ConfigLoader;
import dev.kiln.artifact.Json;
import dev.kiln.link.protocol.BenchmarkPayload.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigSnippetTest {
  @TempDir Path tmp;

  @Test
  void theSnippet_usesTheAgentsOwnKeys_andTheAgentAcceptsIt() throws Exception {
    var row = RecommenderTest.row("1", new Config(1, 2, 16, 8), 3, 9_000);
    var snippet = ConfigSnippet.of(row, 2);

    assertThat(snippet.toString())
        .isEqualTo(
            "{\"threads\":{\"inference\":1,\"predictors\":2,\"http\":8},"
                + "\"batching\":{\"models\":{\"cnn\":{\"maxBatchSize\":16}}}}");
    var full = snippet.deepCopy();
    full.put("deviceId", "d1").put("stateDir", tmp.resolve("state").toString());
    Path file = tmp.resolve("agent.json");
    Files.write(file, Json.toBytes(full));
    var config = ConfigLoader.load(file);
    assertThat(config.threads().inference()).isEqualTo(1);
    assertThat(config.threads().predictors()).isEqualTo(2);
    assertThat(config.batching().forModel("cnn").maxBatchSize()).isEqualTo(16);
  }

  @Test
  void batchingOff_leavesHttpThreadsAlone() {
    var row = RecommenderTest.row("1", new Config(2, 1, 1, 1), 3, 9_000);
    assertThat(ConfigSnippet.of(row, 2).path("threads").has("http")).isFalse();
    assertThat(ConfigSnippet.of(row, 2).at("/batching/models/cnn/maxBatchSize").asInt())
        .isEqualTo(1);
  }
}
