package dev.kiln.agent.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.store.InstalledModel;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FleetSlotsTest {
  private static InstalledModel model(List<InstalledModel.Variant> production, String shadow) {
    return new InstalledModel("mlp", production, shadow, Map.of());
  }

  @Test
  void slots_readTheTrafficSplit_asPrimaryBGreenAndShadow() {
    InstalledModel m =
        model(
            List.of(
                new InstalledModel.Variant("1", 90),
                new InstalledModel.Variant("2", 10),
                new InstalledModel.Variant("3", 0)),
            "4");
    assertThat(FleetSlots.of(m))
        .containsExactly(
            new FleetSlots.FilledSlot("primary", "1", 0.9),
            new FleetSlots.FilledSlot("b", "2", 0.1),
            new FleetSlots.FilledSlot("green", "3", 0.0),
            new FleetSlots.FilledSlot("shadow", "4", null));
    assertThat(FleetSlots.versionIn(m, "green")).isEqualTo("3");
  }

  @Test
  void aThirdWeightedVariant_isSlotC_theThirdBanditArm() {
    InstalledModel m =
        model(
            List.of(
                new InstalledModel.Variant("1", 50),
                new InstalledModel.Variant("2", 50),
                new InstalledModel.Variant("3", 0),
                new InstalledModel.Variant("4", 100)),
            null);
    assertThat(FleetSlots.of(m))
        .containsExactly(
            new FleetSlots.FilledSlot("primary", "1", 0.25),
            new FleetSlots.FilledSlot("b", "2", 0.25),
            new FleetSlots.FilledSlot("green", "3", 0.0),
            new FleetSlots.FilledSlot("c", "4", 0.5));
    assertThat(FleetSlots.versionIn(m, "c")).isEqualTo("4");
  }

  @Test
  void moreWeightedVariants_fillTheBanditArmSlotsInOrder_upToH() {
    List<InstalledModel.Variant> production =
        java.util.stream.IntStream.rangeClosed(1, 8)
            .mapToObj(i -> new InstalledModel.Variant(Integer.toString(i), 1))
            .toList();
    assertThat(FleetSlots.of(model(production, null)))
        .extracting(FleetSlots.FilledSlot::variant)
        .containsExactly("primary", "b", "c", "d", "e", "f", "g", "h");
    assertThat(FleetSlots.versionIn(model(production, null), "d")).isEqualTo("4");
  }

  @Test
  void emptySlots_areNull() {
    InstalledModel m = model(List.of(new InstalledModel.Variant("1", 1)), null);
    assertThat(FleetSlots.versionIn(m, "primary")).isEqualTo("1");
    assertThat(FleetSlots.versionIn(m, "b")).isNull();
    assertThat(FleetSlots.versionIn(m, "shadow")).isNull();
    assertThat(FleetSlots.of(InstalledModel.empty("x"))).isEmpty();
  }
}
