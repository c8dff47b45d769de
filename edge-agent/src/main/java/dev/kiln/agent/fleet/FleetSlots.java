package dev.kiln.agent.fleet;

import dev.kiln.agent.store.ModelState;
import java.util.ArrayList;
import java.util.List;

/**
 * How a model's traffic split reads in the fleet console's terms (docs/fleet.md, "Slots"): the
 * first production variant is {@code primary}, later ones are {@code b} when they take traffic and
 * {@code green} when staged at weight 0, and the shadow is {@code shadow}.
 */
public final class FleetSlots {
  public static final String PRIMARY = "primary";
  public static final String B = "b";
  public static final String GREEN = "green";
  public static final String SHADOW = "shadow";

  /** Every slot a deploy command may name. */
  public static final List<String> ALL = List.of(PRIMARY, B, GREEN, SHADOW);

  /**
   * One filled slot.
   *
   * @param weight share of production traffic (0..1); null for the shadow
   */
  public record Slot(String variant, String version, Double weight) {}

  private FleetSlots() {}

  public static List<Slot> of(ModelState m) {
    List<Slot> out = new ArrayList<>();
    List<ModelState.Variant> production = m.production();
    double total = production.stream().mapToDouble(ModelState.Variant::weight).sum();
    for (int i = 0; i < production.size(); i++) {
      ModelState.Variant v = production.get(i);
      String variant = i == 0 ? PRIMARY : v.weight() > 0 ? B : GREEN;
      out.add(new Slot(variant, v.version(), total > 0 ? v.weight() / total : 0.0));
    }
    if (m.shadow() != null) {
      out.add(new Slot(SHADOW, m.shadow(), null));
    }
    return out;
  }

  /** The version in {@code variant}, or null when that slot is empty. */
  public static String versionIn(ModelState m, String variant) {
    return of(m).stream()
        .filter(s -> s.variant().equals(variant))
        .map(Slot::version)
        .findFirst()
        .orElse(null);
  }
}
