package dev.kiln.fleet.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import dev.kiln.link.protocol.Slot;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StrategyTest {
  private static final List<String> TEN = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");

  @Test
  void parse_readsEveryForm_andTextRoundTrips() {
    for (String s :
        List.of("all-at-once", "rolling:3", "canary:10:5m", "blue-green", "ab:90,10", "shadow")) {
      Strategy parsed = Strategy.parse(s);
      assertThat(Strategy.parse(parsed.text())).isEqualTo(parsed);
    }
    Strategy canary = Strategy.parse("canary:10:30s");
    assertThat(canary.kind()).isEqualTo(Strategy.Kind.CANARY);
    assertThat(canary.canaryPercent()).isEqualTo(10);
    assertThat(canary.bake()).isEqualTo(Duration.ofSeconds(30));
    assertThat(Strategy.parse("ab:70,30").weights()).containsExactly(70, 30);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "big-bang",
        "rolling:0",
        "rolling:x",
        "canary:0:5m",
        "canary:10",
        "canary:10:5d",
        "ab:50,40",
        "ab:100,0"
      })
  void parse_fails_namingAllowedForms(String text) {
    assertThatThrownBy(() -> Strategy.parse(text))
        .isInstanceOf(FleetException.class)
        .satisfies(
            e -> assertThat(((FleetException) e).code()).isEqualTo(FleetErrorCode.BAD_STRATEGY))
        .hasMessageContaining("rolling:BATCH")
        .hasMessageContaining("canary:PERCENT:BAKE");
  }

  @Test
  void plan_rolling_splitsIntoBatches() {
    List<Strategy.Phase> phases = Strategy.parse("rolling:4").plan(TEN);
    assertThat(phases).extracting(p -> p.devices().size()).containsExactly(4, 4, 2);
  }

  @Test
  void plan_canary_takesCeilingPercentThenTheRest_andBakesOnlyTheCanary() {
    List<Strategy.Phase> phases = Strategy.parse("canary:15:1m").plan(TEN);
    assertThat(phases.get(0).devices()).containsExactly("a", "b");
    assertThat(phases.get(0).bakeAfter()).isTrue();
    assertThat(phases.get(1).devices()).hasSize(8);
    assertThat(phases.get(1).bakeAfter()).isFalse();
  }

  @Test
  void plan_blueGreen_stagesThenSwitchesEveryDevice() {
    List<Strategy.Phase> phases = Strategy.parse("blue-green").plan(TEN);
    assertThat(phases)
        .extracting(Strategy.Phase::variant)
        .containsExactly(Slot.GREEN.wireName(), Slot.PRIMARY.wireName());
    assertThat(phases).allSatisfy(p -> assertThat(p.devices()).hasSize(10));
  }

  @Test
  void plan_shadowAndAb_installBesideThePrimary() {
    assertThat(Strategy.parse("shadow").plan(TEN).get(0).variant())
        .isEqualTo(Slot.SHADOW.wireName());
    assertThat(Strategy.parse("ab:80,20").plan(TEN).get(0).variant()).isEqualTo(Slot.B.wireName());
  }

  @Test
  void human_writesDurationsAsTheCliReadsThem() {
    assertThat(Strategy.human(java.time.Duration.ofSeconds(5))).isEqualTo("5s");
    assertThat(Strategy.human(java.time.Duration.ofMinutes(90))).isEqualTo("90m");
    assertThat(Strategy.human(java.time.Duration.ofHours(2))).isEqualTo("2h");
    assertThat(Strategy.human(java.time.Duration.ofMillis(1500))).isEqualTo("1500ms");
  }
}
