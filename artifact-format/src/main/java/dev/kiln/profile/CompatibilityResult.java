package dev.kiln.profile;

import java.util.Objects;

/**
 * Whether an artifact may run on a device.
 *
 * @param reason why, in one sentence fit for a log line or a deployment status; never null, also
 *     when {@code ok}
 */
public record CompatibilityResult(boolean ok, String reason) {
  public CompatibilityResult {
    Objects.requireNonNull(reason, "reason");
  }

  public static CompatibilityResult compatible(String reason) {
    return new CompatibilityResult(true, reason);
  }

  public static CompatibilityResult refused(String reason) {
    return new CompatibilityResult(false, reason);
  }
}
