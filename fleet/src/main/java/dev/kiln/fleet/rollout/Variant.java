package dev.kiln.fleet.rollout;

/**
 * The slot a deploy command puts a version in on the device. Only {@code primary} serves answers;
 * the others are how blue-green, A/B and shadow stage a version beside the running one.
 */
public final class Variant {
  /** Serves all traffic (or the A share under A/B). */
  public static final String PRIMARY = "primary";

  /** Installed and loaded, takes no traffic until a primary deploy of the same version. */
  public static final String GREEN = "green";

  /** Takes the B share of traffic under A/B. */
  public static final String B = "b";

  /** Sees a copy of the traffic; its answers are measured and discarded. */
  public static final String SHADOW = "shadow";

  private Variant() {}

  /** The desired/reported slot key: the model name for primary, {@code model#variant} otherwise. */
  public static String slot(String model, String variant) {
    return variant == null || PRIMARY.equals(variant) ? model : model + "#" + variant;
  }
}
