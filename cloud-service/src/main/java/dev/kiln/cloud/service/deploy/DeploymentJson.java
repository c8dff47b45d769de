package dev.kiln.cloud.service.deploy;

import dev.kiln.fleet.rollout.Deployment;
import dev.kiln.fleet.rollout.DeploymentState;
import dev.kiln.fleet.rollout.DeviceRollout;
import dev.kiln.fleet.rollout.Strategy;
import dev.kiln.fleet.rollout.Transition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A deployment as the API shows it: the summary (lists, events) and the detail with phases, gates,
 * history and per-device progress. Built on the console's event thread from the live deployment.
 */
public final class DeploymentJson {
  private DeploymentJson() {}

  public static Map<String, Object> summary(Deployment d) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", d.id());
    out.put("model", d.artifact().name());
    out.put("version", d.artifact().version());
    out.put("strategy", d.strategy().text());
    out.put("targets", d.targets().describe());
    out.put("state", d.state().name());
    Map<String, Integer> counts = new TreeMap<>();
    d.counts().forEach((status, n) -> counts.put(status.name(), n));
    out.put("counts", counts);
    out.put("reason", d.reason());
    out.put("createdAt", time(d.createdAt()));
    out.put("updatedAt", time(d.updatedAt()));
    return out;
  }

  /** The summary, phases, history and one page of devices (in the deployment's order). */
  public static Map<String, Object> detail(Deployment d, String deviceCursor, int deviceLimit) {
    Map<String, Object> out = summary(d);
    out.put("phases", phases(d));
    List<Map<String, Object>> history = new ArrayList<>();
    for (Deployment.Step s : d.history()) {
      Map<String, Object> h = new LinkedHashMap<>();
      h.put("transition", s.transition().name());
      h.put("from", s.from().name());
      h.put("to", s.to().name());
      h.put("at", time(s.at()));
      h.put("reason", s.reason());
      history.add(h);
    }
    out.put("history", history);
    List<Map<String, Object>> devices = new ArrayList<>();
    boolean started = deviceCursor == null;
    String next = null;
    for (DeviceRollout r : d.devices().values()) {
      if (!started) {
        started = r.deviceId().equals(deviceCursor);
        continue;
      }
      if (devices.size() == deviceLimit) {
        next = (String) devices.get(devices.size() - 1).get("id");
        break;
      }
      devices.add(device(d, r));
    }
    out.put("devices", devices);
    out.put("nextDeviceCursor", next);
    return out;
  }

  private static Map<String, Object> device(Deployment d, DeviceRollout r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.deviceId());
    m.put("state", r.status().name());
    m.put("reason", r.code() != null || r.message() != null ? r.describe() : null);
    m.put(
        "version",
        r.status() == DeviceRollout.Status.ROLLED_BACK
            ? r.previousVersion()
            : d.artifact().version());
    return m;
  }

  /**
   * Each planned phase with when it started and ended (from the history: START opens the first,
   * each NEXT_PHASE or PROMOTE the next) and, for a phase baked behind a health gate, the gate's
   * verdict: the step that left BAKING.
   */
  private static List<Map<String, Object>> phases(Deployment d) {
    List<Long> starts = new ArrayList<>();
    List<Deployment.Step> gates = new ArrayList<>();
    Long end = null;
    for (Deployment.Step s : d.history()) {
      if (s.transition() == Transition.START
          || s.transition() == Transition.NEXT_PHASE
          || s.transition() == Transition.PROMOTE) {
        starts.add(s.at());
      }
      if (s.from() == DeploymentState.BAKING) {
        gates.add(s);
      }
      if (s.to().terminal()) {
        end = s.at();
      }
    }
    List<Map<String, Object>> out = new ArrayList<>();
    List<Strategy.Phase> planned = d.phases();
    int gateIndex = 0;
    for (int i = 0; i < planned.size(); i++) {
      Strategy.Phase p = planned.get(i);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", p.name());
      m.put("state", phaseState(d, i));
      m.put("devices", p.devices().size());
      m.put("startedAt", i < starts.size() ? time(starts.get(i)) : null);
      Long ended = i + 1 < starts.size() ? starts.get(i + 1) : (i < starts.size() ? end : null);
      m.put("endedAt", ended == null ? null : time(ended));
      Map<String, Object> gate = null;
      if (p.bakeAfter() && i < starts.size() && gateIndex < gates.size()) {
        Deployment.Step g = gates.get(gateIndex++);
        gate = new LinkedHashMap<>();
        boolean passed =
            g.transition() == Transition.PROMOTE
                || g.transition() == Transition.NEXT_PHASE
                || g.transition() == Transition.COMPLETE
                || g.transition() == Transition.COMPLETE_PARTIALLY;
        gate.put("passed", passed);
        gate.put("figures", GateFigures.parse(g.reason()));
        gate.put("reason", g.reason());
      }
      m.put("gate", gate);
      out.add(m);
    }
    return out;
  }

  private static String phaseState(Deployment d, int i) {
    DeploymentState s = d.state();
    if (i < d.phase()) {
      return "DONE";
    }
    if (i > d.phase()) {
      return s.terminal() || s == DeploymentState.ROLLING_BACK ? "SKIPPED" : "PENDING";
    }
    return switch (s) {
      case NEW -> "PENDING";
      case BAKING -> "BAKING";
      case SUCCEEDED, PARTIALLY_SUCCEEDED -> "DONE";
      case ROLLING_BACK, ROLLED_BACK -> "ROLLED_BACK";
      case CANCELLED, FAILED, TIMED_OUT -> "SKIPPED";
      default -> "RUNNING";
    };
  }

  static String time(long epochMs) {
    return Instant.ofEpochMilli(epochMs).toString();
  }
}
