package dev.kiln.link.protocol;

import java.util.List;

/**
 * Body of a {@code deploy} command, in the shape docs/protocol.md gives ({@code model, version,
 * variant, artifact{sha256,size,url}}) plus fields the fleet console adds, which older readers
 * ignore: the deployment id, the chunk size of the MQTT transfer, the artifact's target for a
 * compatibility check before downloading, and A/B traffic weights.
 *
 * @param trafficWeights (old, new) for variant {@code b}; empty otherwise
 * @param routing {@link #BANDIT} when the model's variants share traffic by bandit routing from now
 *     on (the fleet's {@code bandit} strategy); null for static weights. Older agents ignore it
 */
public record DeployPayload(
    String deploymentId,
    String model,
    String version,
    String variant,
    Artifact artifact,
    Target target,
    List<Integer> trafficWeights,
    String routing) {

  public static final String TYPE = "deploy";

  /** {@link #routing} for bandit routing among the model's production variants. */
  public static final String BANDIT = "bandit";

  /** A deploy with static traffic weights. */
  public DeployPayload(
      String deploymentId,
      String model,
      String version,
      String variant,
      Artifact artifact,
      Target target,
      List<Integer> trafficWeights) {
    this(deploymentId, model, version, variant, artifact, target, trafficWeights, null);
  }

  /**
   * @param url HTTPS location, or null to fetch over MQTT in chunks of {@code chunkSize}
   */
  public record Artifact(String sha256, long size, String url, int chunkSize) {}

  /** What the artifact was compiled for, as its manifest says. */
  public record Target(String arch, String profile, List<String> executionProviders) {}
}
