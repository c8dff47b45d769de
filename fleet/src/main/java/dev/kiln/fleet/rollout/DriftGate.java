package dev.kiln.fleet.rollout;

import dev.kiln.link.protocol.DriftAlert;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The drift gate ({@code --gate drift}): a drift alert from the cloud's monitor (docs/protocol.md,
 * "Drift alerts") for a version this deployment brings, received while a phase that bakes is under
 * way, fails that phase. The console hands every alert to {@link #offer}; a matching one is kept on
 * the deployment (persisted, so a restarted console still knows), and the next bake step fails on
 * it. Fleet-scoped alerts span versions, so they match no deployment; device-scoped ones match only
 * a device the deployment targets.
 */
public final class DriftGate {
  private DriftGate() {}

  /**
   * One alert that matched: enough to name it in the reason.
   *
   * @param summary the violations, e.g. {@code x[2] psi 0.93 > 0.2}
   */
  public record Finding(
      String model,
      String version,
      String scope,
      String deviceId,
      long windowEndMs,
      long detectedAtMs,
      String summary) {

    /** One line naming the version, the scope and the violations. */
    public String describe() {
      return "drift alert for "
          + model
          + "@"
          + version
          + ("device".equals(scope) ? " on " + deviceId : " (" + scope + ")")
          + ": "
          + summary;
    }
  }

  /**
   * Keeps {@code alert} on {@code d} when the drift gate is on, the phase under way bakes, and the
   * alert names one of the deployment's versions over a window that ended after it started; returns
   * whether it was kept.
   */
  public static boolean offer(Deployment d, DriftAlert alert, long now) {
    if (!d.gate().drift()
        || d.state().terminal()
        || d.currentPhase() == null
        || !d.currentPhase().bakeAfter()
        || !d.artifact().name().equals(alert.model())
        || alert.version() == null
        || !d.armVersions().contains(alert.version())
        || alert.windowEndMs() <= d.createdAt()) {
      return false;
    }
    if ("device".equals(alert.scope())
        && (alert.deviceId() == null || d.device(alert.deviceId()) == null)) {
      return false;
    }
    d.recordDrift(
        new Finding(
            alert.model(),
            alert.version(),
            alert.scope(),
            alert.deviceId(),
            alert.windowEndMs(),
            alert.detectedAtMs(),
            summary(alert.violations())),
        now);
    return true;
  }

  /** Fails when an alert for the phase's version was kept; passes otherwise. */
  static GateResult judge(Deployment d) {
    String model = d.artifact().name();
    String version = d.artifactFor(d.currentPhase().variant()).version();
    List<Finding> found = d.drift().stream().filter(f -> f.version().equals(version)).toList();
    if (found.isEmpty()) {
      return GateResult.pass("no drift alert for " + model + "@" + version);
    }
    return GateResult.fail(
        found.get(found.size() - 1).describe()
            + (found.size() > 1 ? " (" + found.size() + " alerts)" : ""));
  }

  private static String summary(List<DriftAlert.Violation> violations) {
    return violations.stream()
            .limit(4)
            .map(
                v ->
                    String.format(
                        Locale.ROOT,
                        "%s %s %.3f > %s",
                        v.feature(),
                        v.measure(),
                        v.value(),
                        v.threshold()))
            .collect(Collectors.joining(", "))
        + (violations.size() > 4 ? ", ..." : "");
  }
}
