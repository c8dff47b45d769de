package dev.kiln.link.protocol;

import java.util.List;

/**
 * The message on {@code kiln/v1/alerts/drift/{model}} (docs/protocol.md, "Drift alerts"): one per
 * group of a drift check that crossed a threshold, with every violation of that group. The cloud's
 * monitor writes it; the fleet console's drift gate reads it.
 *
 * @param scope {@code fleet}, {@code version} or {@code device}
 * @param version the group's version; null for the fleet
 * @param deviceId the group's device; null for the fleet and per-version groups
 */
public record DriftAlert(
    int schema,
    String type,
    String model,
    String scope,
    String version,
    String deviceId,
    long windowStartMs,
    long windowEndMs,
    long records,
    long detectedAtMs,
    List<Violation> violations) {

  public DriftAlert {
    violations = violations == null ? List.of() : List.copyOf(violations);
  }

  /** One crossed threshold. */
  public record Violation(String feature, String measure, double value, double threshold) {}

  public byte[] toJson() {
    return ProtocolJson.write(this);
  }
}
