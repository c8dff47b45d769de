package dev.kiln.cloud.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.artifact.baseline.Baseline;
import dev.kiln.cloud.store.CaptureStore;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drift checks against a real DuckDB store. */
class DriftCheckTest {
  static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
  static final long MINUTE = 60_000;

  @TempDir Path tmp;

  @Test
  void baselineTraffic_raisesNothing_andShiftedTraffic_flagsTheShiftedFeature() throws Exception {
    try (CaptureStore store = CaptureStore.open(tmp.resolve("cloud.duckdb"))) {
      Traffic.insertMinute(store, 1, 10_000, T0, 0);
      Traffic.insertMinute(store, 2, 2_000, T0 + MINUTE, 0);
      Traffic.insertMinute(store, 3, 2_000, T0 + 2 * MINUTE, 1.0);
      Baseline b =
          CaptureBaselines.build(
              store, new CaptureWindow(Traffic.MODEL, null, T0, T0 + MINUTE), T0 + 3 * MINUTE);
      assertThat(b.records()).isEqualTo(10_000);
      assertThat(b.inputs())
          .extracting(f -> f.name())
          .containsExactly("x[0]", "x[1]", "x[2]", "x[3]");
      assertThat(b.output().classifier()).isTrue();

      DriftCheck check = new DriftCheck(b, Thresholds.DEFAULTS, EnumSet.allOf(Scope.class));
      Monitor monitor = new Monitor(store, null);

      Monitor.Outcome same = monitor.check(check, null, T0 + MINUTE, T0 + 2 * MINUTE, T0);
      assertThat(same.report().records()).isEqualTo(2_000);
      assertThat(same.report().violations()).isEmpty();
      // fleet + version 1 + two devices, each with psi/js/ks on 4 features and psi/js/class_shift
      assertThat(same.report().measurements()).hasSize(4 * (4 * 3 + 3));
      assertThat(same.stored()).isZero();

      Monitor.Outcome shifted = monitor.check(check, null, T0 + 2 * MINUTE, T0 + 3 * MINUTE, T0);
      assertThat(shifted.report().drifted()).isTrue();
      Set<String> flagged =
          shifted.report().violations().stream()
              .map(Measurement::feature)
              .filter(f -> f.startsWith("x"))
              .collect(Collectors.toSet());
      assertThat(flagged).containsExactly("x[2]");
      // Every group (the fleet, version 1, each device) sees it with every measure.
      for (String group : List.of("FLEET/null", "VERSION/null", "DEVICE/dev-0", "DEVICE/dev-1")) {
        assertThat(shifted.report().violations())
            .filteredOn(m -> (m.scope() + "/" + m.device()).equals(group))
            .filteredOn(m -> m.feature().equals("x[2]"))
            .extracting(Measurement::measure)
            .as(group)
            .containsExactlyInAnyOrder("psi", "js", "ks");
      }
      assertThat(shifted.stored()).isEqualTo(shifted.report().violations().size());
      assertThat(new ViolationTable(store).recent(Traffic.MODEL, null, 100).rows())
          .hasSize(shifted.stored());
    }
  }

  @Test
  void smallWindows_areNotJudged() throws Exception {
    try (CaptureStore store = CaptureStore.open(tmp.resolve("cloud.duckdb"))) {
      Traffic.insertMinute(store, 1, 2_000, T0, 0);
      Traffic.insertMinute(store, 3, 100, T0 + MINUTE, 3.0);
      Baseline b =
          CaptureBaselines.build(
              store, new CaptureWindow(Traffic.MODEL, null, T0, T0 + MINUTE), T0);
      DriftReport r =
          new DriftCheck(b, Thresholds.DEFAULTS, EnumSet.of(Scope.FLEET))
              .run(store, null, T0 + MINUTE, T0 + 2 * MINUTE);
      assertThat(r.records()).isEqualTo(100);
      assertThat(r.skippedGroups()).isEqualTo(1);
      assertThat(r.measurements()).isEmpty();
    }
  }
}
