package dev.kiln.agent.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.store.InstalledModel.Variant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class VariantRouterTest {
  private static final List<Variant> VARIANTS =
      List.of(new Variant("a", 7), new Variant("b", 2), new Variant("c", 1));

  @Test
  void pick_splitsByWeight_withinFiveSigma() {
    int n = 100_000;
    SplittableRandom random = new SplittableRandom(42);
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      counts.merge(VariantRouter.pick("m", VARIANTS, null, random::nextDouble), 1, Integer::sum);
    }
    assertWithin(counts.get("a"), n, 0.7);
    assertWithin(counts.get("b"), n, 0.2);
    assertWithin(counts.get("c"), n, 0.1);
  }

  private static void assertWithin(int count, int n, double p) {
    double sd = Math.sqrt(n * p * (1 - p));
    assertThat((double) count).isBetween(n * p - 5 * sd, n * p + 5 * sd);
  }

  @Test
  void pick_neverChoosesZeroWeightVariant() {
    List<Variant> variants = List.of(new Variant("a", 1), new Variant("b", 0));
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < 10_000; i++) {
      assertThat(VariantRouter.pick("m", variants, null, random::nextDouble)).isEqualTo("a");
    }
  }

  @Test
  void pick_honoursRequestedVariant_andRejectsUnknownOne() {
    assertThat(VariantRouter.pick("m", VARIANTS, "c", () -> 0.0)).isEqualTo("c");
    assertThatThrownBy(() -> VariantRouter.pick("m", VARIANTS, "zz", () -> 0.0))
        .isInstanceOfSatisfying(
            AgentException.class,
            e -> assertThat(e.code()).isEqualTo(AgentErrorCode.VERSION_NOT_FOUND))
        .hasMessageContaining("[a, b, c]");
  }

  @Test
  void pick_fails_whenModelHasNoVariants() {
    assertThatThrownBy(() -> VariantRouter.pick("m", List.of(), null, () -> 0.0))
        .hasMessageContaining("no active version");
  }
}
