package dev.kiln.link.protocol;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The slot a deploy command puts a version in on the device (docs/fleet.md, "Slots"). Only {@link
 * #PRIMARY} serves answers alone; the others are how blue-green, A/B and shadow stage a version
 * beside the running one. On the wire (a deploy's and a heartbeat's {@code variant}) a slot is its
 * {@link #wireName()}; an absent variant means primary.
 */
public enum Slot {
  /** Serves all traffic (or the A share under A/B). */
  PRIMARY("primary"),
  /** Takes the B share of traffic under A/B. */
  B("b"),
  /**
   * A third bandit arm beside primary and {@link #B} (the fleet's {@code bandit:3} strategy): joins
   * the model's production variants; the device's bandit shares the traffic. {@link #D} to {@link
   * #H} are the fourth to eighth arms, alike.
   */
  C("c"),
  /** The fourth bandit arm (see {@link #C}). */
  D("d"),
  /** The fifth bandit arm (see {@link #C}). */
  E("e"),
  /** The sixth bandit arm (see {@link #C}). */
  F("f"),
  /** The seventh bandit arm (see {@link #C}). */
  G("g"),
  /** The eighth bandit arm (see {@link #C}). */
  H("h"),
  /** Installed and loaded, takes no traffic until a primary deploy of the same version. */
  GREEN("green"),
  /** Sees a copy of the traffic; its answers are measured and discarded. */
  SHADOW("shadow");

  /**
   * The slots of the bandit arms beside primary, in the order a fleet deploy fills them: a
   * deployment's second arm goes to {@code b}, its third to {@code c}, and so on.
   */
  private static final List<Slot> BANDIT_ARMS = List.of(B, C, D, E, F, G, H);

  private final String wireName;

  Slot(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  /** {@link #BANDIT_ARMS}: as many as a bandit may have arms, less the primary. */
  public static List<Slot> banditArms() {
    return BANDIT_ARMS;
  }

  /**
   * The slot of bandit arm {@code index} beside primary (0 is {@code b}); past the last one, the
   * last.
   */
  public static Slot banditArm(int index) {
    return BANDIT_ARMS.get(Math.min(index, BANDIT_ARMS.size() - 1));
  }

  /** A bandit arm after {@code b}: only a bandit deploy may fill it, and it never replaces one. */
  public boolean isExtraBanditArm() {
    return this != B && BANDIT_ARMS.contains(this);
  }

  /** Every wire name, for messages that list what a command may name. */
  public static List<String> wireNames() {
    return Arrays.stream(values()).map(Slot::wireName).toList();
  }

  /** The slot a wire variant names; null means primary, and an unknown name is empty. */
  public static Optional<Slot> fromWire(String variant) {
    if (variant == null) {
      return Optional.of(PRIMARY);
    }
    return Arrays.stream(values()).filter(s -> s.wireName.equals(variant)).findFirst();
  }

  /**
   * The key of one model's slot in desired and reported state: the model name for primary, {@code
   * model#variant} otherwise.
   */
  public static String key(String model, String variant) {
    return variant == null || PRIMARY.wireName.equals(variant) ? model : model + "#" + variant;
  }

  public static String key(String model, Slot slot) {
    return key(model, slot.wireName);
  }

  /** A slot key read back: {@code [model, variant]}, primary when the key has no {@code #}. */
  public static String[] splitKey(String key) {
    int hash = key.indexOf('#');
    return hash < 0
        ? new String[] {key, PRIMARY.wireName}
        : new String[] {key.substring(0, hash), key.substring(hash + 1)};
  }
}
