package dev.kiln.fleet.rollout;

/**
 * What the engine wants done. The console persists the deployment before carrying out actions, so a
 * crash in between re-sends (with a new command id) rather than forgetting.
 */
public sealed interface Action {
  String deviceId();

  String deploymentId();

  /** Send a signed deploy command for the deployment's artifact. */
  record Deploy(String deviceId, String commandId, String deploymentId, String variant)
      implements Action {}

  /** Send a signed rollback command back to {@code version} (null: remove the model). */
  record Rollback(String deviceId, String commandId, String deploymentId, String version)
      implements Action {}

  /** Record what the device should run in {@code slot}, so it converges when it comes back. */
  record SetDesired(
      String deviceId, String slot, String version, String artifactSha256, String deploymentId)
      implements Action {}
}
