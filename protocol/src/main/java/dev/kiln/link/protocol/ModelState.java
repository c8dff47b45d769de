package dev.kiln.link.protocol;

/**
 * One model deployment as the agent reports it in a heartbeat.
 *
 * @param variant the slot the version fills: {@code primary}, {@code b} (A/B challenger), {@code
 *     green} (staged, no traffic) or {@code shadow}; the fleet console matches desired state by it
 * @param weight share of production traffic for primary and b; null where it does not apply
 * @param bandit what the device's bandit learned about this version, when the model is routed by a
 *     bandit (docs/protocol.md, "Heartbeat and telemetry"); null otherwise, and older readers
 *     ignore it
 */
public record ModelState(
    String name, String version, String variant, String state, Double weight, BanditArm bandit) {

  /**
   * One bandit arm on one device: counts since the device started learning, so the console can add
   * devices up into one Beta(1 + rewardSum, 1 + rewarded - rewardSum) posterior per version.
   *
   * @param pulls requests this version served
   * @param rewarded requests whose reward arrived, each in [0, 1]
   * @param rewardSum the sum of those rewards
   * @param share the share of unpinned traffic the device's bandit sends this version now
   */
  public record BanditArm(long pulls, long rewarded, double rewardSum, double share) {}

  /** A slot without bandit figures. */
  public ModelState(String name, String version, String variant, String state, Double weight) {
    this(name, version, variant, state, weight, null);
  }

  /** A slot without a traffic weight (green, shadow, or a device that does not split traffic). */
  public ModelState(String name, String version, String variant, String state) {
    this(name, version, variant, state, null);
  }
}
