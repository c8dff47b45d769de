package dev.kiln.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RoutingConfigTest {
  private static RoutingConfig routing(String mlp) {
    return ConfigLoader.parse("{\"models\": {\"routing\": {\"mlp\": " + mlp + "}}}", Path.of("/"))
        .models()
        .routing()
        .get("mlp");
  }

  @Test
  void bandit_hasDocumentedDefaults_andNoRoutingMeansStaticWeights() {
    assertThat(ConfigLoader.parse("{}", Path.of("/")).models().routing()).isEmpty();
    RoutingConfig r = routing("{\"type\": \"bandit\"}");
    assertThat(r.algorithm()).isEqualTo("thompson");
    assertThat(r.explorationFloor()).isEqualTo(0.05);
    assertThat(r.reward().fromFeedback()).isTrue();
    assertThat(r.pendingRequests()).isEqualTo(10_000);
    RoutingConfig latency =
        routing(
            "{\"type\": \"bandit\", \"explorationFloor\": 0.1, \"reward\": {\"latencyUnderMs\":"
                + " 20}}");
    assertThat(latency.reward().latencyUnderMs()).isEqualTo(20);
    assertThat(latency.explorationFloor()).isEqualTo(0.1);
  }

  @Test
  void bandit_refusesBadValues_namingTheKeyAndWhatIsAllowed() {
    assertThatThrownBy(() -> routing("{\"type\": \"weights\"}"))
        .hasMessageContaining("models.routing.mlp.type")
        .hasMessageContaining("\"bandit\"");
    assertThatThrownBy(() -> routing("{\"type\": \"bandit\", \"algorithm\": \"ucb\"}"))
        .hasMessageContaining("models.routing.mlp.algorithm")
        .hasMessageContaining("thompson");
    assertThatThrownBy(() -> routing("{\"type\": \"bandit\", \"explorationFloor\": 0.7}"))
        .hasMessageContaining("models.routing.mlp.explorationFloor")
        .hasMessageContaining("0.5");
    assertThatThrownBy(() -> routing("{\"type\": \"bandit\", \"reward\": \"clicks\"}"))
        .hasMessageContaining("models.routing.mlp.reward")
        .hasMessageContaining("latencyUnderMs");
    assertThatThrownBy(() -> routing("{\"type\": \"bandit\", \"reward\": {\"latencyMs\": 3}}"))
        .hasMessageContaining("models.routing.mlp.reward.latencyMs");
    assertThatThrownBy(() -> routing("{\"type\": \"bandit\", \"floor\": 0.1}"))
        .hasMessageContaining("models.routing.mlp.floor");
  }
}
