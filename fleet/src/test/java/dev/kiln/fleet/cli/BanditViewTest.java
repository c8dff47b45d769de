package dev.kiln.fleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.fleet.rollout.BanditVerdict;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code kiln fleet status} lists every arm of a bandit deployment, however many. */
class BanditViewTest {
  @Test
  void threeArms_eachGetARow_andTheHistoryShowsTheDecision() {
    Map<String, Double> device = new HashMap<>();
    double[] sums = {20, 50, 90};
    for (int i = 0; i < 3; i++) {
      String v = String.valueOf(i + 1);
      device.put(BanditVerdict.key("mlp", v, "pulls"), 100.0);
      device.put(BanditVerdict.key("mlp", v, "rewarded"), 100.0);
      device.put(BanditVerdict.key("mlp", v, "reward_sum"), sums[i]);
      device.put(BanditVerdict.key("mlp", v, "share"), i == 2 ? 0.9 : 0.05);
    }
    BanditVerdict.Snapshot s =
        BanditVerdict.assess("mlp", List.of("1", "2", "3"), List.of(device), 1_000);

    String view = Views.bandit(List.of(s));

    assertThat(view.lines().filter(l -> l.matches("^[123] .*")).toList())
        .hasSize(3)
        .anySatisfy(l -> assertThat(l).startsWith("3").contains("0.90").contains("1.000"));
    assertThat(view)
        .contains("1 0.05/")
        .contains("2 0.05/")
        .contains("3 0.90/")
        .contains("PROMOTE");
  }
}
