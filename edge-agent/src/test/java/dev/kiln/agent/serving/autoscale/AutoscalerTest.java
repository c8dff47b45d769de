package dev.kiln.agent.serving.autoscale;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.config.AgentConfig;
import dev.kiln.agent.serving.ModelRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AutoscalerTest {
  private static final AgentConfig.ModelAutoscaling THREE =
      new AgentConfig.ModelAutoscaling(1, 3, 1.0, 0, 0, 300, 30);

  private static Autoscaler autoscaler(int threadsInference, int cores) {
    return new Autoscaler(
        new AgentConfig.Autoscaling(Map.of("cnn", THREE)),
        new ModelRegistry(1 << 20),
        threadsInference,
        cores);
  }

  @Test
  void maxReplicas_isCappedAtTheCores_unlessThreadsAreConfigured() {
    assertThat(autoscaler(0, 2).maxReplicas(THREE)).isEqualTo(2);
    assertThat(autoscaler(0, 16).maxReplicas(THREE)).isEqualTo(3);
    assertThat(autoscaler(1, 2).maxReplicas(THREE))
        .as("threads.inference set: taken as given")
        .isEqualTo(3);
  }

  @Test
  void describe_onlyForAutoscaledModels_withTheCappedMax() {
    Autoscaler a = autoscaler(0, 2);
    assertThat(a.describe("mlp")).isEmpty();
    assertThat(a.spec("mlp")).isNull();
    assertThat(a.describe("cnn").orElseThrow()).containsEntry("maxReplicas", 2);
    assertThat(a.prometheus()).as("nothing loaded yet").isEmpty();
  }
}
