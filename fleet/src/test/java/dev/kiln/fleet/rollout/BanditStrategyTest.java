package dev.kiln.fleet.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.fleet.rollout.DeviceRollout.Status;
import dev.kiln.link.protocol.CommandReply;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The {@code bandit} strategy: parsing, the fleet verdict and the engine's moves. */
class BanditStrategyTest {
  private static final ArtifactRef V2 =
      new ArtifactRef("mlp", "2", "abc", 10, "x86_64", "linux-x86_64", List.of(), "/a.kiln");
  private static final ArtifactRef V3 =
      new ArtifactRef("mlp", "3", "def", 10, "x86_64", "linux-x86_64", List.of(), "/b.kiln");

  private final AtomicInteger ids = new AtomicInteger();
  private final RolloutEngine engine =
      new RolloutEngine(new RolloutEngine.Settings(1_000, 2), () -> "c" + ids.incrementAndGet());
  private final FakeFleet fleet = new FakeFleet().devices(3, "1");
  private long now = 1_000_000;

  @Test
  void parse_readsArmsAndDuration_andRefusesOtherArmCounts() {
    Strategy s = Strategy.parse("bandit:2:10m");
    assertThat(s.kind()).isEqualTo(Strategy.Kind.BANDIT);
    assertThat(s.bake()).hasMinutes(10);
    assertThat(Strategy.parse(s.text())).isEqualTo(s);
    assertThat(s.plan(List.of("a", "b")))
        .extracting(Strategy.Phase::variant)
        .containsExactly("b", "primary");
    assertThat(Strategy.parse("bandit:3:10m").arms()).isEqualTo(3);
    assertThat(Strategy.parse("bandit:3:10m").text()).isEqualTo("bandit:3:600000ms");
    assertThat(Strategy.parse("bandit:8:10m").arms()).isEqualTo(8);
    assertThatThrownBy(() -> Strategy.parse("bandit:1:10m"))
        .hasMessageContaining("ARMS must be 2..8");
    assertThatThrownBy(() -> Strategy.parse("bandit:9:10m"))
        .hasMessageContaining("ARMS must be 2..8");
    assertThatThrownBy(() -> Strategy.parse("bandit:2"))
        .hasMessageContaining("bandit:ARMS:DURATION");
  }

  @Test
  void armCount_mustBeOnePlusTheArtifacts_namingBothNumbers() {
    Strategy.parse("bandit:2:10m").requireArtifacts(1);
    Strategy.parse("bandit:3:10m").requireArtifacts(2);
    Strategy.parse("canary:10:1m").requireArtifacts(1);
    assertThatThrownBy(() -> Strategy.parse("bandit:3:10m").requireArtifacts(1))
        .hasMessageContaining("ARMS 3")
        .hasMessageContaining("needs 2 artifact(s), but the deployment has 1");
    assertThatThrownBy(() -> Strategy.parse("bandit:2:10m").requireArtifacts(2))
        .hasMessageContaining("ARMS 2")
        .hasMessageContaining("needs 1 artifact(s), but the deployment has 2");
    assertThatThrownBy(() -> Strategy.parse("rolling:2").requireArtifacts(2))
        .hasMessageContaining("deploys one artifact, but the deployment has 2");
  }

  @Test
  void verdict_overThreeArms_picksTheBestOfThree_deterministically() {
    List<String> versions = List.of("1", "2", "3");
    // Version 3 is clearly best on both devices, version 2 in between.
    List<Map<String, Double>> devices =
        List.of(threeArms(40, 10, 40, 20, 40, 36), threeArms(60, 15, 60, 33, 60, 54));
    BanditVerdict.Snapshot s = BanditVerdict.assess("mlp", versions, devices, 7);
    assertThat(s.arms()).extracting(BanditVerdict.Arm::version).containsExactly("1", "2", "3");
    assertThat(s.arms().get(2).rewarded()).isEqualTo(100);
    assertThat(s.arms().get(2).rewardSum()).isEqualTo(90.0);
    assertThat(s.arms().get(2).probabilityBest()).isGreaterThanOrEqualTo(BanditVerdict.CONFIDENCE);
    assertThat(s.arms().stream().mapToDouble(BanditVerdict.Arm::probabilityBest).sum())
        .isCloseTo(1.0, within());
    assertThat(s.decision()).isEqualTo(BanditVerdict.Decision.PROMOTE);
    assertThat(s.winner()).isEqualTo("3");
    assertThat(BanditVerdict.assess("mlp", versions, devices, 7)).isEqualTo(s);

    // The middle arm can win as well.
    BanditVerdict.Snapshot middle =
        BanditVerdict.assess("mlp", versions, List.of(threeArms(100, 20, 100, 90, 100, 30)), 7);
    assertThat(middle.decision()).isEqualTo(BanditVerdict.Decision.PROMOTE);
    assertThat(middle.winner()).isEqualTo("2");

    // The running version best of three: keep it.
    BanditVerdict.Snapshot old =
        BanditVerdict.assess("mlp", versions, List.of(threeArms(100, 90, 100, 20, 100, 30)), 7);
    assertThat(old.decision()).isEqualTo(BanditVerdict.Decision.KEEP_OLD);
    assertThat(old.winner()).isEqualTo("1");

    // Two new arms alike: neither is best with the confidence, so nothing is decided.
    BanditVerdict.Snapshot tie =
        BanditVerdict.assess("mlp", versions, List.of(threeArms(100, 20, 100, 80, 100, 80)), 7);
    assertThat(tie.decision()).isEqualTo(BanditVerdict.Decision.UNDECIDED);
    assertThat(tie.winner()).isNull();
  }

  @Test
  void verdict_addsDevicesUp_andIsDeterministic() {
    List<Map<String, Double>> devices = List.of(arms(50, 40, 50, 10), arms(50, 45, 50, 5));
    BanditVerdict.Snapshot s = BanditVerdict.assess("mlp", List.of("1", "2"), devices, 7);
    assertThat(s.devices()).isEqualTo(2);
    assertThat(s.arms().get(0).rewarded()).isEqualTo(100);
    assertThat(s.arms().get(0).rewardSum()).isEqualTo(85.0);
    assertThat(s.arms().get(0).estimatedReward()).isCloseTo(86.0 / 102, within());
    assertThat(s.decision()).isEqualTo(BanditVerdict.Decision.KEEP_OLD);
    assertThat(BanditVerdict.assess("mlp", List.of("1", "2"), devices, 7)).isEqualTo(s);
    BanditVerdict.Snapshot few =
        BanditVerdict.assess("mlp", List.of("1", "2"), List.of(arms(5, 5, 5, 0)), 7);
    assertThat(few.decision())
        .as("fewer than %d rewards per arm decide nothing", BanditVerdict.MIN_REWARDS)
        .isEqualTo(BanditVerdict.Decision.UNDECIDED);
  }

  @Test
  void verdict_waitsForEveryDevicesBandit_beforeDeciding() {
    // Two devices' figures are decisive, but a third serving the arms has not reported its
    // bandit yet (its first heartbeat since the arm landed is still to come).
    List<Map<String, Double>> devices =
        List.of(arms(50, 40, 50, 10), arms(50, 45, 50, 5), Map.of("requests.total", 3.0));
    BanditVerdict.Snapshot s = BanditVerdict.assess("mlp", List.of("1", "2"), devices, 7);
    assertThat(s.devices()).isEqualTo(2);
    assertThat(s.decision()).isEqualTo(BanditVerdict.Decision.UNDECIDED);
    assertThat(s.winner()).isNull();
    assertThat(s.reason()).contains("waiting for the bandits of 1 more");
  }

  @Test
  void betterNewVersion_isPromotedFleetWide_beforeTheDurationEnds() {
    Deployment d = deployment();
    landArms(d, 20, 90);
    // One step lands the arms, starts the bake and, the fleet being confident already, promotes.
    List<Action> actions = engine.step(d, fleet, now);
    assertThat(d.state()).isEqualTo(DeploymentState.PROMOTED);
    assertThat(d.reason()).contains("2 is best with P >= 0.95");
    assertThat(actions)
        .filteredOn(a -> a instanceof Action.Deploy)
        .extracting(a -> ((Action.Deploy) a).variant())
        .containsOnly("primary")
        .hasSize(3);
    answer(d);
    engine.step(d, fleet, now);
    assertThat(d.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(d.bandit())
        .last()
        .extracting(BanditVerdict.Snapshot::decision)
        .isEqualTo(BanditVerdict.Decision.PROMOTE);
  }

  @Test
  void threeArms_landOneAfterTheOther_andTheBestOfThreeIsPromoted() {
    for (String id : fleet.online.keySet()) {
      fleet.heartbeat(id, "1", 0.0, 10.0, now - 10);
    }
    Deployment d =
        Deployment.create(
            "dep3",
            List.of(V2, V3),
            TargetSelector.everyDevice(),
            Strategy.parse("bandit:3:1m"),
            GateConfig.defaults(),
            now,
            600_000);
    assertThat(d.armVersions()).containsExactly("2", "3");
    assertThat(d.artifactFor("b")).isEqualTo(V2);
    assertThat(d.artifactFor("c")).isEqualTo(V3);
    assertThat(deploys(engine.step(d, fleet, now))).containsOnly("b").hasSize(3);
    answer(d);
    // The second arm landed everywhere: the third follows, each device its own deploy command.
    List<Action> third = engine.step(d, fleet, now);
    assertThat(deploys(third)).containsOnly("c").hasSize(3);
    assertThat(third)
        .filteredOn(a -> a instanceof Action.SetDesired s && s.slot().equals("mlp#c"))
        .extracting(a -> ((Action.SetDesired) a).version())
        .containsOnly("3");
    answer(d);
    for (String id : fleet.online.keySet()) {
      fleet.reported.get(id).put("mlp", "1");
      fleet.reported.get(id).put("mlp#b", "2");
      fleet.reported.get(id).put("mlp#c", "3");
      Map<String, Double> m = new HashMap<>(fleet.metrics.get(id));
      m.putAll(threeArms(40, 10, 40, 20, 40, 36));
      fleet.metrics.put(id, m);
      fleet.metricsAt.put(id, now + 5);
    }
    now += 10;

    List<Action> promote = engine.step(d, fleet, now);

    assertThat(d.state()).isEqualTo(DeploymentState.PROMOTED);
    assertThat(d.reason()).contains("3 is best with P >= 0.95");
    assertThat(d.artifact()).as("the winner is what phase 2 deploys").isEqualTo(V3);
    assertThat(deploys(promote)).containsOnly("primary").hasSize(3);
    assertThat(promote)
        .filteredOn(a -> a instanceof Action.SetDesired s && s.slot().equals("mlp"))
        .extracting(a -> ((Action.SetDesired) a).version())
        .containsOnly("3");
    answer(d);
    engine.step(d, fleet, now);
    assertThat(d.state()).isEqualTo(DeploymentState.SUCCEEDED);
  }

  @Test
  void fourArms_landOneSlotAfterAnother_eachWithItsOwnArtifact_andBakeOnceAllAreIn() {
    ArtifactRef v4 =
        new ArtifactRef("mlp", "4", "0a0", 10, "x86_64", "linux-x86_64", List.of(), "/d.kiln");
    Strategy four = Strategy.parse("bandit:4:1m");
    assertThat(four.plan(List.of("a")))
        .extracting(Strategy.Phase::variant, Strategy.Phase::bakeAfter)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("b", false),
            org.assertj.core.groups.Tuple.tuple("c", false),
            org.assertj.core.groups.Tuple.tuple("d", true),
            org.assertj.core.groups.Tuple.tuple("primary", false));
    Deployment d =
        Deployment.create(
            "dep4",
            List.of(V2, V3, v4),
            TargetSelector.everyDevice(),
            four,
            GateConfig.defaults(),
            now,
            600_000);
    assertThat(d.artifactFor("b")).isEqualTo(V2);
    assertThat(d.artifactFor("c")).isEqualTo(V3);
    assertThat(d.artifactFor("d")).isEqualTo(v4);
    assertThat(d.artifactFor("primary")).isEqualTo(V2);
    assertThat(deploys(engine.step(d, fleet, now))).containsOnly("b").hasSize(3);
    answer(d);
    assertThat(deploys(engine.step(d, fleet, now))).containsOnly("c").hasSize(3);
    answer(d);
    List<Action> fourth = engine.step(d, fleet, now);
    assertThat(deploys(fourth)).containsOnly("d").hasSize(3);
    assertThat(fourth)
        .filteredOn(a -> a instanceof Action.SetDesired s && s.slot().equals("mlp#d"))
        .extracting(a -> ((Action.SetDesired) a).version())
        .containsOnly("4");
  }

  @Test
  void threeArms_needTwoArtifactsOfOneModel() {
    Strategy three = Strategy.parse("bandit:3:1m");
    GateConfig gate = GateConfig.defaults();
    TargetSelector all = TargetSelector.everyDevice();
    assertThatThrownBy(() -> Deployment.create("x", List.of(V2), all, three, gate, now, 1))
        .hasMessageContaining("ARMS 3")
        .hasMessageContaining("but the deployment has 1");
    ArtifactRef other =
        new ArtifactRef("cnn", "3", "fff", 10, "x86_64", "linux-x86_64", List.of(), "/c.kiln");
    assertThatThrownBy(() -> Deployment.create("x", List.of(V2, other), all, three, gate, now, 1))
        .hasMessageContaining("different versions of one model");
    assertThatThrownBy(() -> Deployment.create("x", List.of(V2, V2), all, three, gate, now, 1))
        .hasMessageContaining("different versions of one model");
  }

  private static List<String> deploys(List<Action> actions) {
    return actions.stream()
        .filter(a -> a instanceof Action.Deploy)
        .map(a -> ((Action.Deploy) a).variant())
        .toList();
  }

  @Test
  void betterRunningVersion_rollsBack() {
    Deployment d = deployment();
    landArms(d, 90, 20);
    engine.step(d, fleet, now);
    assertThat(d.state()).isEqualTo(DeploymentState.ROLLING_BACK);
    assertThat(d.reason()).contains("running version 1 is best");
  }

  @Test
  void noConfidentWinner_keepsTheRunningVersion_whenTheDurationEnds() {
    Deployment d = deployment();
    landArms(d, 50, 50);
    engine.step(d, fleet, now);
    now += 1_000;
    engine.step(d, fleet, now);
    assertThat(d.state()).as("undecided within the duration").isEqualTo(DeploymentState.BAKING);
    now += 60_000;
    engine.step(d, fleet, now);
    assertThat(d.state()).isEqualTo(DeploymentState.ROLLING_BACK);
    assertThat(d.reason()).contains("no version is best", "keeping 1");
  }

  private Deployment deployment() {
    for (String id : fleet.online.keySet()) {
      fleet.heartbeat(id, "1", 0.0, 10.0, now - 10);
    }
    Deployment d =
        Deployment.create(
            "dep1",
            V2,
            TargetSelector.everyDevice(),
            Strategy.parse("bandit:2:1m"),
            GateConfig.defaults(),
            now,
            600_000);
    List<Action> actions = engine.step(d, fleet, now);
    assertThat(actions)
        .filteredOn(a -> a instanceof Action.Deploy)
        .extracting(a -> ((Action.Deploy) a).variant())
        .containsOnly("b")
        .hasSize(3);
    return d;
  }

  /** The devices take the arm and report what their bandits learned (rewards per 100). */
  private void landArms(Deployment d, int oldPerHundred, int newPerHundred) {
    answer(d);
    for (String id : fleet.online.keySet()) {
      fleet.reported.get(id).put("mlp", "1");
      fleet.reported.get(id).put("mlp#b", "2");
      Map<String, Double> m = new HashMap<>(fleet.metrics.get(id));
      m.putAll(arms(100, oldPerHundred, 100, newPerHundred));
      fleet.metrics.put(id, m);
      fleet.metricsAt.put(id, now + 5);
    }
    now += 10;
  }

  private void answer(Deployment d) {
    for (DeviceRollout r : List.copyOf(d.devices().values())) {
      if (r.status() == Status.SENT) {
        engine.onReply(
            d, r.deviceId(), r.commandId(), CommandReply.Status.SUCCEEDED, null, null, "ok", now);
        fleet.heartbeat(r.deviceId(), "2", 0.0, 10.0, now + 1);
      }
    }
  }

  /** Heartbeat metrics of a device with three arms, versions 1, 2 and 3. */
  private static Map<String, Double> threeArms(
      int n1, double sum1, int n2, double sum2, int n3, double sum3) {
    Map<String, Double> m = new HashMap<>();
    int[] pulls = {n1, n2, n3};
    double[] sums = {sum1, sum2, sum3};
    for (int i = 0; i < 3; i++) {
      String v = String.valueOf(i + 1);
      m.put(BanditVerdict.key("mlp", v, "pulls"), (double) pulls[i]);
      m.put(BanditVerdict.key("mlp", v, "rewarded"), (double) pulls[i]);
      m.put(BanditVerdict.key("mlp", v, "reward_sum"), sums[i]);
      m.put(BanditVerdict.key("mlp", v, "share"), 1.0 / 3);
    }
    return m;
  }

  private static Map<String, Double> arms(int n1, double sum1, int n2, double sum2) {
    return Map.of(
        BanditVerdict.key("mlp", "1", "pulls"),
        (double) n1,
        BanditVerdict.key("mlp", "1", "rewarded"),
        (double) n1,
        BanditVerdict.key("mlp", "1", "reward_sum"),
        sum1,
        BanditVerdict.key("mlp", "1", "share"),
        0.5,
        BanditVerdict.key("mlp", "2", "pulls"),
        (double) n2,
        BanditVerdict.key("mlp", "2", "rewarded"),
        (double) n2,
        BanditVerdict.key("mlp", "2", "reward_sum"),
        sum2,
        BanditVerdict.key("mlp", "2", "share"),
        0.5);
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-9);
  }
}
