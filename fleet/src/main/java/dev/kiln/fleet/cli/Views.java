package dev.kiln.fleet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.fleet.console.DeploymentView;
import dev.kiln.fleet.rollout.BanditVerdict;
import dev.kiln.fleet.rollout.DeviceRollout;
import dev.kiln.fleet.state.DeviceRecord;
import dev.kiln.json.JsonMappers;
import dev.kiln.link.protocol.HealthMetrics;
import dev.kiln.table.TextTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Renders devices and deployments as tables or JSON, for the fleet CLI and the demo. */
public final class Views {
  private static final ObjectMapper JSON = JsonMappers.readable();

  private Views() {}

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String devices(List<DeviceRecord> devices) {
    TextTable t =
        new TextTable(
            "DEVICE",
            "ONLINE",
            "PROFILE",
            "ARCH",
            "AGENT",
            "GROUPS",
            "RUNNING",
            "DESIRED",
            "ERRORS",
            "P95 MS",
            "LAST SEEN");
    for (DeviceRecord d : devices) {
      Map<String, String> desired = new TreeMap<>();
      d.desired().forEach((slot, want) -> desired.put(slot, want.version()));
      Double errors = d.metrics().get(HealthMetrics.WINDOW.errorRate());
      Double p95 = d.metrics().get(HealthMetrics.WINDOW.p95Ms());
      t.row(
          d.deviceId(),
          d.online() ? "yes" : "no",
          d.profile(),
          d.arch(),
          d.agentVersion(),
          String.join(",", d.groups()),
          running(d),
          slots(desired),
          errors == null ? null : String.format(Locale.ROOT, "%.1f%%", errors * 100),
          p95 == null ? null : String.format(Locale.ROOT, "%.2f", p95),
          d.lastSeen() == 0 ? null : Instant.ofEpochMilli(d.lastSeen()));
    }
    return t.render();
  }

  /** Slots with versions, and each one's share of traffic where the split is not all-or-nothing. */
  private static String running(DeviceRecord d) {
    return new TreeMap<>(d.reported())
        .entrySet().stream()
            .map(
                e -> {
                  Double share = d.weights().get(e.getKey());
                  String label = e.getKey() + "@" + e.getValue();
                  return share == null || share == 1.0
                      ? label
                      : label + String.format(Locale.ROOT, " %.0f%%", share * 100);
                })
            .collect(Collectors.joining(","));
  }

  static String deployments(List<DeploymentView> views) {
    TextTable t =
        new TextTable(
            "DEPLOYMENT", "ARTIFACT", "STRATEGY", "TARGETS", "STATE", "PHASE", "DEVICES", "REASON");
    for (DeploymentView v : views) {
      t.row(
          v.id(),
          v.artifact(),
          v.strategy(),
          v.targets(),
          v.state(),
          v.phases() == 0 ? null : Math.min(v.phase() + 1, v.phases()) + "/" + v.phases(),
          counts(v.counts()),
          v.reason());
    }
    return t.render();
  }

  static String deployment(DeploymentView v) {
    StringBuilder out = new StringBuilder(deployments(List.of(v))).append('\n');
    TextTable t =
        new TextTable("DEVICE", "PHASE", "STATUS", "CODE", "ATTEMPTS", "PREVIOUS", "MESSAGE");
    for (DeviceRollout r : v.devices()) {
      t.row(
          r.deviceId(),
          r.phase() + 1,
          r.status(),
          r.code(),
          r.attempts(),
          r.previousVersion(),
          r.message());
    }
    out.append(t.render()).append('\n');
    if (!v.bandit().isEmpty()) {
      out.append(bandit(v.bandit())).append('\n');
    }
    out.append("gates: ").append(v.gates()).append('\n');
    if (v.accuracy() != null) {
      out.append("accuracy: ").append(v.accuracy().describe()).append('\n');
    }
    v.drift().forEach(f -> out.append("drift: ").append(f.describe()).append('\n'));
    out.append('\n');
    TextTable h = new TextTable("AT", "TRANSITION", "FROM", "TO", "REASON");
    v.history()
        .forEach(
            s -> h.row(Instant.ofEpochMilli(s.at()), s.transition(), s.from(), s.to(), s.reason()));
    return out.append(h.render()).toString();
  }

  /**
   * A bandit deployment's arms: the latest figures per arm, then one line per recorded change
   * (oldest first, the last 10), so the shift of traffic over time is visible.
   */
  static String bandit(List<BanditVerdict.Snapshot> snapshots) {
    BanditVerdict.Snapshot last = snapshots.get(snapshots.size() - 1);
    TextTable t =
        new TextTable("ARM", "SHARE", "EST. REWARD", "P(BEST)", "REWARDS", "REQUESTS", "DEVICES");
    for (BanditVerdict.Arm a : last.arms()) {
      t.row(
          a.version(),
          String.format(Locale.ROOT, "%.2f", a.share()),
          String.format(Locale.ROOT, "%.3f", a.estimatedReward()),
          String.format(Locale.ROOT, "%.3f", a.probabilityBest()),
          a.rewarded(),
          a.pulls(),
          last.devices());
    }
    StringBuilder out = new StringBuilder(t.render()).append('\n');
    TextTable h = new TextTable("AT", "ARMS (version share/est. reward)", "DECISION");
    for (BanditVerdict.Snapshot s :
        snapshots.subList(Math.max(0, snapshots.size() - 10), snapshots.size())) {
      StringBuilder arms = new StringBuilder();
      for (BanditVerdict.Arm a : s.arms()) {
        arms.append(
            String.format(
                Locale.ROOT, "%s %.2f/%.3f  ", a.version(), a.share(), a.estimatedReward()));
      }
      h.row(Instant.ofEpochMilli(s.at()), arms.toString().strip(), s.decision());
    }
    return out.append(h.render()).toString();
  }

  /**
   * The devices a finished deployment did not bring to its version, with the device's code and
   * message: refused, failed, or (PENDING) offline throughout. Empty when there are none.
   */
  static String leftBehind(DeploymentView v, int max) {
    List<DeviceRollout> rows =
        v.devices().stream()
            .filter(
                r ->
                    r.status() == DeviceRollout.Status.REFUSED
                        || r.status() == DeviceRollout.Status.FAILED
                        || r.status() == DeviceRollout.Status.PENDING)
            .toList();
    if (rows.isEmpty()) {
      return "";
    }
    TextTable t = new TextTable("DEVICE", "STATUS", "CODE", "MESSAGE");
    for (DeviceRollout r : rows.subList(0, Math.min(max, rows.size()))) {
      String message =
          r.status() == DeviceRollout.Status.PENDING && r.message() == null
              ? "offline; converges when it returns"
              : r.message();
      t.row(r.deviceId(), r.status(), r.code(), message);
    }
    String more =
        rows.size() > max
            ? "... and " + (rows.size() - max) + " more: kiln fleet status " + v.id() + "\n"
            : "";
    return t.render() + more;
  }

  private static String slots(Map<String, String> slots) {
    return new TreeMap<>(slots)
        .entrySet().stream()
            .map(e -> e.getKey() + "@" + e.getValue())
            .collect(Collectors.joining(","));
  }

  private static String counts(Map<DeviceRollout.Status, Integer> counts) {
    return counts.entrySet().stream()
        .map(e -> e.getValue() + " " + e.getKey().name().toLowerCase(java.util.Locale.ROOT))
        .collect(Collectors.joining(", "));
  }
}
