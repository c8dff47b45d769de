package dev.kiln.agent.fleet;

import dev.kiln.agent.store.InstalledModel;
import dev.kiln.link.protocol.Slot;
import java.util.ArrayList;
import java.util.List;

/**
 * How a model's traffic split reads in the fleet console's terms (docs/fleet.md, "Slots"): the
 * first production variant is {@code primary}, later ones are {@code b}, {@code c}, ... {@code h}
 * (bandit arms) in order when they take traffic and {@code green} when staged at weight 0, and the
 * shadow is {@code shadow}.
 */
public final class FleetSlots {
  /**
   * One filled slot.
   *
   * @param variant the slot's wire name ({@link Slot#wireName()})
   * @param weight share of production traffic (0..1); null for the shadow
   */
  public record FilledSlot(String variant, String version, Double weight) {}

  private FleetSlots() {}

  public static List<FilledSlot> of(InstalledModel m) {
    List<FilledSlot> out = new ArrayList<>();
    List<InstalledModel.Variant> production = m.production();
    double total = production.stream().mapToDouble(InstalledModel.Variant::weight).sum();
    int weighted = 0;
    for (int i = 0; i < production.size(); i++) {
      InstalledModel.Variant v = production.get(i);
      // The weighted variants after the primary are b, then c, d, ... (more bandit arms).
      Slot slot = i == 0 ? Slot.PRIMARY : v.weight() <= 0 ? Slot.GREEN : Slot.banditArm(weighted++);
      out.add(new FilledSlot(slot.wireName(), v.version(), total > 0 ? v.weight() / total : 0.0));
    }
    if (m.shadow() != null) {
      out.add(new FilledSlot(Slot.SHADOW.wireName(), m.shadow(), null));
    }
    return out;
  }

  /** The version in {@code variant}, or null when that slot is empty. */
  public static String versionIn(InstalledModel m, String variant) {
    return of(m).stream()
        .filter(s -> s.variant().equals(variant))
        .map(FilledSlot::version)
        .findFirst()
        .orElse(null);
  }
}
