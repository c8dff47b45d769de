package dev.kiln.cli.loop;

import dev.kiln.artifact.baseline.Baseline;
import dev.kiln.artifact.baseline.BaselineFiles;
import dev.kiln.cloud.monitor.DriftCheck;
import dev.kiln.cloud.monitor.DriftReport;
import dev.kiln.cloud.monitor.Measurement;
import dev.kiln.cloud.monitor.Monitor;
import dev.kiln.cloud.monitor.Scope;
import dev.kiln.cloud.monitor.Thresholds;
import dev.kiln.cloud.store.CaptureStore;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The loop's drift checks: the same check as {@code kiln monitor check}, against the baseline the
 * compiler put in a version's artifact, over one phase's window, at the documented default
 * thresholds. Fleet and per-version scopes only: the loop's two devices split each phase, and half
 * a phase is below the records a window needs to be judged. Violations are stored in {@code
 * drift_violations}, as every check's are.
 */
final class LoopDrift {
  static final Set<Scope> SCOPES = Set.of(Scope.FLEET, Scope.VERSION);

  private LoopDrift() {}

  /**
   * The baseline inside an artifact file (a {@code .kiln}), as {@code --baseline FILE.kiln} reads
   * it.
   */
  static Baseline fromArtifact(Path kiln) {
    return BaselineFiles.readFileOrArtifact(kiln);
  }

  static DriftReport check(CaptureStore store, Baseline baseline, long fromMs, long untilMs)
      throws SQLException {
    return new Monitor(store, null)
        .check(
            new DriftCheck(baseline, Thresholds.DEFAULTS, SCOPES),
            null,
            fromMs,
            untilMs,
            System.currentTimeMillis())
        .report();
  }

  static List<String> violations(DriftReport r) {
    List<String> out = new ArrayList<>();
    for (Measurement m : r.violations()) {
      out.add(
          String.format(
              Locale.ROOT,
              "%s%s %s %s %.4f > %s",
              m.scope().label(),
              m.version() == null ? "" : " " + m.version(),
              m.feature(),
              m.measure(),
              m.value(),
              m.threshold()));
    }
    return out;
  }

  /** The largest value of each measure over every feature and group: {@code psi=0.0213}. */
  static List<String> maxima(DriftReport r) {
    Map<String, Double> max = new TreeMap<>();
    for (Measurement m : r.measurements()) {
      max.merge(m.measure(), m.value(), Math::max);
    }
    List<String> out = new ArrayList<>();
    max.forEach((k, v) -> out.add(String.format(Locale.ROOT, "%s=%.4f", k, v)));
    return out;
  }
}
