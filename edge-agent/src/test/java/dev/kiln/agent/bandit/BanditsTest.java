package dev.kiln.agent.bandit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.config.RoutingConfig;
import dev.kiln.agent.feedback.Feedback;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.agent.serving.ServedInference;
import dev.kiln.agent.store.InstalledModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BanditsTest {
  private static final List<InstalledModel.Variant> AB =
      List.of(new InstalledModel.Variant("a", 1), new InstalledModel.Variant("b", 1));

  @TempDir Path dir;

  private static RoutingConfig config(double floor, RoutingConfig.Reward reward, int pending) {
    return new RoutingConfig(RoutingConfig.THOMPSON, floor, reward, pending);
  }

  private Bandits bandits(RoutingConfig config) {
    return Bandits.withoutWriter(Map.of("m", config), dir, model -> AB);
  }

  private static ServedInference served(String id, String version, float[] out, long micros) {
    Map<String, Tensor> outputs =
        out == null ? null : Map.of("output", Tensor.ofFloats(new long[] {1, out.length}, out));
    return new ServedInference(
        id, "m", version, version, false, Map.of(), outputs, micros, null, Instant.now());
  }

  @Test
  void betaSampler_meanMatchesTheDistribution() {
    SplittableRandom random = new SplittableRandom(1);
    double[][] cases = {{1, 1}, {2, 8}, {30, 10}, {0.5, 0.5}};
    for (double[] c : cases) {
      double sum = 0;
      for (int i = 0; i < 20_000; i++) {
        sum += BetaSampler.beta(c[0], c[1], random);
      }
      assertThat(sum / 20_000)
          .as("Beta(%s, %s)", c[0], c[1])
          .isCloseTo(c[0] / (c[0] + c[1]), org.assertj.core.data.Offset.offset(0.01));
    }
  }

  @Test
  void routing_favoursTheRewardedArm_butNeverStarvesTheOtherBelowTheFloor() {
    Bandits b = bandits(config(0.05, RoutingConfig.Reward.FEEDBACK, 100));
    for (int i = 0; i < 200; i++) {
      String v = b.choose("m", AB);
      b.capture(served("r" + i, v, new float[] {1, 0}, 10));
      b.reward(List.of(new Feedback("r" + i, null, null, v.equals("a") ? 1.0 : 0.0)));
    }
    int b2 = 0;
    for (int i = 0; i < 4000; i++) {
      if (b.choose("m", AB).equals("b")) {
        b2++;
      }
    }
    // Expected 0.05 * 4000 = 200 (B's posterior is far below A's, so only the floor sends it).
    assertThat(b2).isBetween(130, 280);
    ArmReport a = b.arms("m").get(0);
    ArmReport bb = b.arms("m").get(1);
    assertThat(a.share()).isGreaterThan(0.94);
    assertThat(bb.share()).isGreaterThanOrEqualTo(0.05);
    assertThat(a.posteriorMean()).isGreaterThan(0.9);
    assertThat(bb.posteriorMean()).isLessThan(0.2);
  }

  @Test
  void eightArms_eachKeepsItsFloor_theBestTakesTheRest_andTheFloorIsCappedAtOneOverK() {
    List<InstalledModel.Variant> eight =
        IntStream.rangeClosed(1, 8)
            .mapToObj(i -> new InstalledModel.Variant(Integer.toString(i), 1))
            .toList();
    Bandits b =
        Bandits.withoutWriter(
            Map.of("m", config(0.05, RoutingConfig.Reward.FEEDBACK, 1000)), dir, model -> eight);
    for (int i = 0; i < 1600; i++) {
      String v = b.choose("m", eight);
      b.capture(served("r" + i, v, new float[] {1, 0}, 10));
      b.reward(List.of(new Feedback("r" + i, null, null, v.equals("8") ? 0.9 : 0.1)));
    }
    Map<String, Long> picks =
        IntStream.range(0, 8000)
            .mapToObj(i -> b.choose("m", eight))
            .collect(Collectors.groupingBy(v -> v, Collectors.counting()));
    // Each of the 7 worse arms: the floor, 0.05 x 8000 = 400 expected; the best gets the other
    // 1 - 8 x 0.05 = 0.6 plus its own floor, 5200.
    for (int i = 1; i <= 7; i++) {
      assertThat(picks.getOrDefault(Integer.toString(i), 0L)).as("arm " + i).isBetween(300L, 560L);
    }
    assertThat(picks.get("8")).isGreaterThan(4700L);
    List<ArmReport> arms = b.arms("m");
    assertThat(arms).hasSize(8);
    assertThat(arms.stream().mapToDouble(ArmReport::share).sum())
        .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(arms).allSatisfy(a -> assertThat(a.share()).isGreaterThanOrEqualTo(0.05));
    assertThat(arms.get(7).share()).isGreaterThan(0.6);

    // A floor of 0.5 cannot hold for 8 arms: it is capped at 1/8, which is uniform routing.
    Bandits capped =
        Bandits.withoutWriter(
            Map.of("m", config(0.5, RoutingConfig.Reward.FEEDBACK, 10)),
            dir.resolve("capped"),
            model -> eight);
    assertThat(capped.arms("m"))
        .allSatisfy(
            a -> assertThat(a.share()).isCloseTo(0.125, org.assertj.core.data.Offset.offset(1e-9)));
  }

  @Test
  void feedback_forUnknownOrRepeatedIds_isUnmatched_andFullWaitingMapForgetsTheOldest() {
    Bandits b = bandits(config(0.05, RoutingConfig.Reward.FEEDBACK, 2));
    b.capture(served("r1", "a", new float[] {0, 1}, 10));
    b.capture(served("r2", "a", new float[] {0, 1}, 10));
    b.capture(served("r3", "b", new float[] {0, 1}, 10));
    assertThat(b.pending().get("m").evicted()).isEqualTo(1);
    assertThat(b.reward(List.of(new Feedback("r1", null, null, 1.0)))).isZero();
    assertThat(b.reward(List.of(new Feedback("r2", null, null, 1.0)))).isEqualTo(1);
    assertThat(b.reward(List.of(new Feedback("r2", null, null, 1.0)))).isZero();
    assertThat(b.reward(List.of(new Feedback("nope", null, null, 1.0)))).isZero();
    assertThat(b.unmatched()).isEqualTo(3);
    assertThat(b.arms("m").get(0).pulls()).isEqualTo(2);
    assertThat(b.arms("m").get(0).rewardSum()).isEqualTo(1.0);
  }

  @Test
  void label_isScoredAgainstThePredictedClass_andRewardsAreClamped() {
    Bandits b = bandits(config(0.05, RoutingConfig.Reward.FEEDBACK, 10));
    b.capture(served("r1", "a", new float[] {0.1f, 0.7f, 0.2f}, 10));
    b.capture(served("r2", "a", new float[] {0.1f, 0.7f, 0.2f}, 10));
    b.capture(served("r3", "b", null, 10));
    b.reward(
        List.of(
            new Feedback("r1", "1", null, null),
            new Feedback("r2", "2", null, null),
            new Feedback("r3", null, null, 7.0)));
    assertThat(b.arms("m").get(0).rewarded()).isEqualTo(2);
    assertThat(b.arms("m").get(0).rewardSum()).isEqualTo(1.0);
    assertThat(b.arms("m").get(1).rewardSum()).isEqualTo(1.0);
    assertThat(b.clamped()).isEqualTo(1);
  }

  @Test
  void latencyReward_scoresEachRequestAtOnce() {
    Bandits b = bandits(config(0.0, new RoutingConfig.Reward(20), 10));
    b.capture(served("r1", "a", new float[] {1}, 5_000));
    b.capture(served("r2", "b", new float[] {1}, 25_000));
    assertThat(b.arms("m").get(0).rewardSum()).isEqualTo(1.0);
    assertThat(b.arms("m").get(1).rewarded()).isEqualTo(1);
    assertThat(b.arms("m").get(1).rewardSum()).isZero();
    assertThat(b.pending().get("m").size()).isZero();
  }

  @Test
  void state_isWrittenWhenChanged_andReloaded() throws Exception {
    Bandits b = bandits(config(0.05, RoutingConfig.Reward.FEEDBACK, 10));
    b.capture(served("r1", "a", new float[] {1}, 10));
    b.reward(List.of(new Feedback("r1", null, null, 0.75)));
    b.persist();
    assertThat(Files.readString(b.file("m"))).contains("\"rewardSum\"");
    Bandits again = bandits(config(0.05, RoutingConfig.Reward.FEEDBACK, 10));
    assertThat(again.arms("m").get(0))
        .extracting(ArmReport::pulls, ArmReport::rewardSum)
        .containsExactly(1L, 0.75);
    Files.writeString(b.file("m"), "{torn");
    assertThat(bandits(config(0.05, RoutingConfig.Reward.FEEDBACK, 10)).arms("m").get(0).pulls())
        .isZero();
  }

  @Test
  void fleetEnabledBandit_staysOnAcrossRestarts_untilTheFleetTurnsItOff() throws Exception {
    Bandits b = Bandits.withoutWriter(Map.of(), dir, model -> AB);
    assertThat(b.routes("m")).isFalse();
    b.enable("m");
    b.capture(served("r1", "a", new float[] {1}, 10));
    b.persist();
    Bandits again = Bandits.withoutWriter(Map.of(), dir, model -> AB);
    assertThat(again.routes("m")).isTrue();
    assertThat(again.arms("m").get(0).pulls()).isEqualTo(1);
    assertThat(again.heartbeatArms("m")).containsOnlyKeys("a", "b");
    again.disableFromFleet("m");
    assertThat(Files.exists(again.file("m"))).isFalse();
    assertThat(Bandits.withoutWriter(Map.of(), dir, model -> AB).routes("m")).isFalse();
    Bandits configured = bandits(config(0.05, RoutingConfig.Reward.FEEDBACK, 10));
    configured.disableFromFleet("m");
    assertThat(configured.routes("m")).as("agent.json's bandit stays").isTrue();
  }
}
