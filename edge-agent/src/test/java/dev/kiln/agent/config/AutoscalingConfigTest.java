package dev.kiln.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class AutoscalingConfigTest {
  private static final Path BASE = Path.of("/etc/kiln");

  private static AgentConfig parse(String autoscaling) {
    return ConfigLoader.parse("{\"autoscaling\": " + autoscaling + "}", BASE);
  }

  @Test
  void absent_meansFixedPredictors_forEveryModel() {
    AgentConfig c = ConfigLoader.parse("{}", BASE);
    assertThat(c.autoscaling().models()).isEmpty();
    assertThat(c.autoscaling().forModel("cnn")).isNull();
  }

  @Test
  void modelEntry_takesDocumentedDefaults_forKeysLeftOut() {
    AgentConfig.ModelAutoscaling cnn =
        parse("{\"models\": {\"cnn\": {\"maxReplicas\": 3}}}").autoscaling().forModel("cnn");
    assertThat(cnn.minReplicas()).isEqualTo(1);
    assertThat(cnn.maxReplicas()).isEqualTo(3);
    assertThat(cnn.targetInFlightPerReplica()).isEqualTo(1.0);
    assertThat(cnn.scaleOutCooldownS()).isEqualTo(10);
    assertThat(cnn.scaleInCooldownS()).isEqualTo(60);
    assertThat(cnn.idleSeconds()).isEqualTo(300);
    assertThat(cnn.coldStartTimeoutS()).isEqualTo(30);
    assertThat(parse("{\"models\": {\"cnn\": {}}}").autoscaling().forModel("cnn").maxReplicas())
        .as("maxReplicas defaults to the cores")
        .isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors()));
  }

  @Test
  void scaleToZero_readsIdleSeconds() {
    AgentConfig.ModelAutoscaling mlp =
        parse(
                "{\"models\": {\"mlp\": {\"minReplicas\": 0, \"maxReplicas\": 2,"
                    + " \"idleSeconds\": 5, \"coldStartTimeoutS\": 9}}}")
            .autoscaling()
            .forModel("mlp");
    assertThat(mlp.minReplicas()).isZero();
    assertThat(mlp.idleSeconds()).isEqualTo(5);
    assertThat(mlp.coldStartTimeoutS()).isEqualTo(9);
  }

  @Test
  void coldStartTimeout_takesAFractionOfASecond_downToAMillisecond() {
    AgentConfig.ModelAutoscaling lazy =
        parse("{\"models\": {\"lazy\": {\"minReplicas\": 0, \"coldStartTimeoutS\": 0.25}}}")
            .autoscaling()
            .forModel("lazy");
    assertThat(lazy.coldStartTimeout()).isEqualTo(java.time.Duration.ofMillis(250));
    assertThatThrownBy(() -> parse("{\"models\": {\"lazy\": {\"coldStartTimeoutS\": 0.0001}}}"))
        .hasMessageContaining("autoscaling.models.lazy.coldStartTimeoutS");
  }

  @Test
  void errors_nameTheKey_andWhatIsAllowed() {
    assertThatThrownBy(
            () -> parse("{\"models\": {\"cnn\": {\"minReplicas\": 3, \"maxReplicas\": 2}}}"))
        .hasMessageContaining("autoscaling.models.cnn.maxReplicas")
        .hasMessageContaining("at least minReplicas (3)");
    assertThatThrownBy(() -> parse("{\"models\": {\"cnn\": {\"maxReplicas\": 0}}}"))
        .hasMessageContaining("autoscaling.models.cnn.maxReplicas")
        .hasMessageContaining("from 1 to 64");
    assertThatThrownBy(() -> parse("{\"models\": {\"cnn\": {\"targetInFlightPerReplica\": 0}}}"))
        .hasMessageContaining("autoscaling.models.cnn.targetInFlightPerReplica");
    assertThatThrownBy(() -> parse("{\"models\": {\"cnn\": {\"scaleInCooldownS\": -1}}}"))
        .hasMessageContaining("autoscaling.models.cnn.scaleInCooldownS");
    assertThatThrownBy(() -> parse("{\"models\": {\"cnn\": {\"maxReplica\": 2}}}"))
        .hasMessageContaining("autoscaling.models.cnn.maxReplica")
        .hasMessageContaining("unknown key");
    assertThatThrownBy(() -> parse("{\"models\": {\"cnn\": {\"idleSeconds\": 30}}}"))
        .hasMessageContaining("autoscaling.models.cnn.idleSeconds")
        .hasMessageContaining("minReplicas 0");
    assertThatThrownBy(() -> parse("{\"models\": {\"c n\": {}}}"))
        .hasMessageContaining("not a model name");
    assertThatThrownBy(() -> parse("{\"replicas\": 2}"))
        .hasMessageContaining("autoscaling.replicas");
  }
}
