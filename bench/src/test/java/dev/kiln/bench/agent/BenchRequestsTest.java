package dev.kiln.bench.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.config.AgentConfig;
import dev.kiln.agent.http.Npy;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.compiler.ort.HostTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the benchmarks send to the agent must be what the agent accepts, or they measure errors. */
class BenchRequestsTest {
  @TempDir Path dir;

  @Test
  void npyBody_isDecodedByTheAgent_toTheSameTensor() {
    float[] values = new float[12];
    for (int i = 0; i < values.length; i++) {
      values[i] = i * 0.5f - 2;
    }

    Tensor t = Npy.read(BenchModel.npy(HostTensor.ofFloats(new long[] {1, 3, 2, 2}, values)));

    assertThat(t.shape()).containsExactly(1, 3, 2, 2);
    assertThat(t.floats()).containsExactly(values);
  }

  @Test
  void agentConfig_isAcceptedByTheAgentsLoader_withBatchingThreadsAndCapture() throws Exception {
    Path keys = Files.createDirectories(dir.resolve("keys"));
    BenchModel model =
        new BenchModel("cnn", dir.resolve("cnn.kiln"), null, null, null, "{}", null, keys);

    AgentConfig cfg =
        AgentSetup.of(model, 2, 32)
            .withHttpThreads(32)
            .withPort(18080)
            .withCloud("tcp://127.0.0.1:1883", 100)
            .config(dir, "bench");

    assertThat(cfg.batching().maxBatchSize()).isEqualTo(32);
    assertThat(cfg.batching().maxQueueDelayMs()).isEqualTo(2);
    assertThat(cfg.threads().http()).isEqualTo(32);
    assertThat(cfg.threads().inference()).isEqualTo(2);
    assertThat(cfg.http().port()).isEqualTo(18080);
    assertThat(cfg.cloud().enabled()).isTrue();
    assertThat(cfg.cloud().capture().samplePercent()).isEqualTo(100.0);
    assertThat(cfg.models().defaultModel()).isEqualTo("cnn");
  }

  @Test
  void agentConfig_hasNoCloudSection_withoutABroker() throws Exception {
    BenchModel model =
        new BenchModel("mlp", dir.resolve("mlp.kiln"), null, null, null, "{}", null, dir);

    AgentConfig cfg = AgentSetup.of(model, 2, 1).config(dir, "bench");

    assertThat(cfg.cloud().enabled()).isFalse();
    assertThat(cfg.batching().maxBatchSize()).isEqualTo(1);
  }
}
