package dev.kiln.link.protocol;

/**
 * One model deployment as the agent reports it in a heartbeat.
 *
 * @param variant the slot the version fills: {@code primary}, {@code b} (A/B challenger), {@code
 *     green} (staged, no traffic) or {@code shadow}; the fleet console matches desired state by it
 * @param weight share of production traffic for primary and b; null where it does not apply
 */
public record ModelState(String name, String version, String variant, String state, Double weight) {

  /** A slot without a traffic weight (green, shadow, or a device that does not split traffic). */
  public ModelState(String name, String version, String variant, String state) {
    this(name, version, variant, state, null);
  }
}
