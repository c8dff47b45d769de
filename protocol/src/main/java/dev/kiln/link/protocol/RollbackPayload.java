package dev.kiln.link.protocol;

/**
 * Body of a {@code rollback} command (docs/protocol.md: {@code model}, optional {@code toVersion}):
 * make {@code toVersion} the primary of {@code model} again and drop the model's non-primary
 * variants. {@code remove} (a fleet addition) says the model had no previous version, so it is to
 * be removed.
 */
public record RollbackPayload(String deploymentId, String model, String toVersion, boolean remove) {
  public static final String TYPE = "rollback";
}
