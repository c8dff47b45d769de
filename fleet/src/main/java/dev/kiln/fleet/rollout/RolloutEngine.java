package dev.kiln.fleet.rollout;

import dev.kiln.fleet.rollout.DeviceRollout.Status;
import dev.kiln.link.protocol.CommandReply;
import dev.kiln.link.protocol.ReplyCode;
import dev.kiln.link.protocol.Slot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Drives deployments: pure logic over a {@link Deployment}, a {@link FleetView} and a time, with
 * the effects returned as {@link Action}s. Called on every event (reply, heartbeat, birth) and on a
 * tick, so bake ends, reply timeouts and deadlines are noticed without an event.
 */
public final class RolloutEngine {
  /**
   * @param replyTimeoutMs how long a device may stay silent on a command before it is re-sent
   * @param maxAttempts deploy commands per device before it counts as failed
   */
  public record Settings(long replyTimeoutMs, int maxAttempts) {
    public static Settings defaults() {
      return new Settings(30_000, 3);
    }
  }

  private final Settings settings;
  private final Supplier<String> commandIds;

  public RolloutEngine(Settings settings, Supplier<String> commandIds) {
    this.settings = settings;
    this.commandIds = commandIds;
  }

  /** Advances the deployment as far as it can go now. */
  public List<Action> step(Deployment d, FleetView fleet, long now) {
    List<Action> actions = new ArrayList<>();
    for (int guard = 0; guard < 64 && !d.state().terminal(); guard++) {
      DeploymentState before = d.state();
      int phaseBefore = d.phase();
      if (now > d.deadline()) {
        d.apply(Transition.TIME_OUT, now, "deadline passed while " + Waiting.describe(d, fleet));
        break;
      }
      switch (d.state()) {
        case NEW -> start(d, fleet, now, actions);
        case IN_PROGRESS, PROMOTED -> progress(d, fleet, now, actions);
        case BAKING -> bake(d, fleet, now, actions);
        case ROLLING_BACK -> rollingBack(d, fleet, now, actions);
        default -> {}
      }
      if (d.state() == before && d.phase() == phaseBefore) {
        break;
      }
    }
    return actions;
  }

  public List<Action> cancel(Deployment d, long now, String why) {
    d.apply(Transition.CANCEL, now, why);
    List<Action> actions = new ArrayList<>();
    for (DeviceRollout r : List.copyOf(d.devices().values())) {
      if (r.status() == Status.PENDING) {
        d.update(r.with(Status.SKIPPED, null, "cancelled before its phase", now), now);
        undesire(d, r, actions);
      }
    }
    return actions;
  }

  public void rollback(Deployment d, long now, String why) {
    d.apply(Transition.ROLLBACK, now, why);
  }

  /** Matches a device's reply to its row; stale replies (older command ids) are ignored. */
  public boolean onReply(
      Deployment d,
      String deviceId,
      String commandId,
      CommandReply.Status status,
      String code,
      Integer progress,
      String message,
      long now) {
    boolean moved = Replies.apply(d, deviceId, commandId, status, code, progress, message, now);
    if (moved && Outcome.converged(d)) {
      d.apply(
          Transition.CONVERGED,
          now,
          "every target now runs " + d.artifact().label() + "; " + deviceId + " was the last");
    }
    return moved;
  }

  /**
   * A device came back online with {@code reported} in {@code slot}: if a finished deployment left
   * it behind, returns the command that brings it to {@code desired}.
   */
  public List<Action> converge(
      Deployment d, String deviceId, String slot, String desired, String reported, long now) {
    return Convergence.converge(d, deviceId, slot, desired, reported, commandIds.get(), now);
  }

  private void start(Deployment d, FleetView fleet, long now, List<Action> actions) {
    List<String> targets = fleet.resolve(d.targets());
    if (targets.isEmpty()) {
      d.apply(Transition.FAIL, now, "no known device matches " + d.targets().describe());
      return;
    }
    Map<String, String> previous = new HashMap<>();
    List<Map<String, Double>> metrics = new ArrayList<>();
    for (String t : targets) {
      previous.put(t, fleet.reportedVersion(t, slot(d)));
      if (!fleet.metrics(t).isEmpty()) {
        metrics.add(fleet.metrics(t));
      }
    }
    d.plan(d.strategy().plan(targets), previous);
    d.baseline(HealthGate.baseline(d.gate(), metrics));
    d.startPhase(now);
    d.apply(
        Transition.START, now, "phase 1 of " + d.phases().size() + ": " + d.currentPhase().name());
    desire(d, actions);
  }

  private void progress(Deployment d, FleetView fleet, long now, List<Action> actions) {
    int failed = 0;
    int counted = 0;
    boolean done = true;
    for (DeviceRollout r : d.currentPhaseDevices()) {
      r = expire(d, fleet, r, now);
      if (r.status() == Status.PENDING && fleet.online(r.deviceId())) {
        String id = commandIds.get();
        d.update(r.sent(id, now, false), now);
        actions.add(new Action.Deploy(r.deviceId(), id, d.id(), d.currentPhase().variant()));
        r = d.device(r.deviceId());
      }
      if (r.status() == Status.FAILED) {
        failed++;
      }
      if (r.status() != Status.REFUSED && r.status() != Status.SKIPPED) {
        counted++;
      }
      // An offline device does not hold up the phase; it converges when it returns.
      boolean deferred = r.status() == Status.PENDING && !fleet.online(r.deviceId());
      done &= r.status().settled() || deferred;
    }
    GateResult activation = HealthGate.activation(d.gate(), counted, failed);
    if (activation.verdict() == GateResult.Verdict.FAIL) {
      d.apply(
          Transition.GATE_FAILED,
          now,
          d.currentPhase().name()
              + ": "
              + activation.reason()
              + ": "
              + Outcome.failures(d.currentPhaseDevices()));
      return;
    }
    // Success needs at least one device that took the version: a rollout that reached no device
    // yet (all offline) waits, and times out rather than report success; one whose devices all
    // refused or failed ends FAILED below.
    boolean anyActive = d.devices().values().stream().anyMatch(r -> r.status() == Status.ACTIVE);
    if (!done || (d.lastPhase() && !anyActive && deferredOnly(d))) {
      return;
    }
    Strategy.Phase phase = d.currentPhase();
    if (!anyActive && !deferredOnly(d) && (phase.bakeAfter() || d.lastPhase())) {
      // Every device that answered refused or failed: a bake would wait for heartbeats that cannot
      // come, and completing would report a success that no device received.
      finish(d, now, null, actions);
    } else if (phase.bakeAfter()) {
      d.bakeUntil(now + d.strategy().bake().toMillis());
      d.apply(
          Transition.BEGIN_BAKE,
          now,
          phase.name() + " landed; baking for " + Strategy.human(d.strategy().bake()));
    } else if (d.lastPhase()) {
      finish(d, now, null, actions);
    } else {
      d.advancePhase(now);
      d.apply(
          Transition.NEXT_PHASE,
          now,
          "phase " + (d.phase() + 1) + " of " + d.phases().size() + ": " + d.currentPhase().name());
      desire(d, actions);
    }
  }

  /**
   * Ends a deployment whose last phase landed as its devices' outcomes say ({@link Outcome}). When
   * none took the version, every device is wanted back on what it ran, so none converges later to a
   * version the deployment failed to deliver; offline ones are skipped.
   */
  private static void finish(Deployment d, long now, String gate, List<Action> actions) {
    Transition end = Outcome.of(d);
    String why = Outcome.describe(d);
    d.apply(end, now, gate == null ? why : gate + "; " + why);
    if (end != Transition.FAIL) {
      return;
    }
    for (DeviceRollout r : List.copyOf(d.devices().values())) {
      undesire(d, r, actions);
      if (r.status() == Status.PENDING) {
        d.update(r.with(Status.SKIPPED, null, "not updated: no device took the version", now), now);
      }
    }
  }

  /** True when nothing settled for good yet: every row is still pending (offline). */
  private static boolean deferredOnly(Deployment d) {
    return d.devices().values().stream()
        .noneMatch(r -> r.status() == Status.FAILED || r.status() == Status.REFUSED);
  }

  private void bake(Deployment d, FleetView fleet, long now, List<Action> actions) {
    List<HealthGate.Sample> samples = new ArrayList<>();
    String variant = d.currentPhase().variant();
    String slot = Slot.key(d.artifact().name(), variant);
    for (DeviceRollout r : d.currentPhaseDevices()) {
      if (r.status() == Status.ACTIVE
          && fleet.metricsAt(r.deviceId()) > r.activatedAt()
          && d.artifactFor(variant).version().equals(fleet.reportedVersion(r.deviceId(), slot))) {
        samples.add(new HealthGate.Sample(r.deviceId(), fleet.metrics(r.deviceId())));
      }
    }
    GateResult result =
        PhaseGates.judge(d, fleet, HealthGate.metrics(d.gate(), d.baseline(), samples), now);
    if (result.verdict() == GateResult.Verdict.FAIL) {
      d.apply(Transition.GATE_FAILED, now, d.currentPhase().name() + ": " + result.reason());
    } else if (d.strategy().kind() == Strategy.Kind.BANDIT) {
      BanditStep.bake(d, fleet, now, result, () -> promote(d, now, actions));
    } else if (now >= d.bakeUntil() && result.verdict() == GateResult.Verdict.PASS) {
      if (d.lastPhase()) {
        finish(d, now, result.reason(), actions);
      } else {
        d.apply(Transition.PROMOTE, now, d.currentPhase().name() + " " + result.reason());
        promote(d, now, actions);
      }
    }
  }

  private void promote(Deployment d, long now, List<Action> actions) {
    d.advancePhase(now);
    // As on NEXT_PHASE: the promoted phase's devices are now wanted on the new version, so one
    // that is offline now converges to it when it returns.
    desire(d, actions);
  }

  private void rollingBack(Deployment d, FleetView fleet, long now, List<Action> actions) {
    boolean done = true;
    List<String> failedRollbacks = new ArrayList<>();
    for (DeviceRollout r : List.copyOf(d.devices().values())) {
      r = expire(d, fleet, r, now);
      switch (r.status()) {
        case PENDING ->
            d.update(r.with(Status.SKIPPED, null, "not updated: rolled back", now), now);
        case SENT, ACCEPTED, IN_PROGRESS, ACTIVE -> {
          undesire(d, r, actions);
          if (fleet.online(r.deviceId())) {
            String id = commandIds.get();
            d.update(r.sent(id, now, true), now);
            actions.add(new Action.Rollback(r.deviceId(), id, d.id(), r.previousVersion()));
            done = false;
          }
        }
        case ROLLBACK_SENT -> done = false;
        case FAILED -> {
          if (ReplyCode.ROLLBACK_FAILED.name().equals(r.code())) {
            failedRollbacks.add(r.deviceId() + " (" + r.message() + ")");
          }
        }
        default -> {}
      }
    }
    if (!failedRollbacks.isEmpty() && done) {
      d.apply(Transition.FAIL, now, "rollback did not finish on " + failedRollbacks);
    } else if (done) {
      d.apply(
          Transition.ROLLBACK_DONE,
          now,
          "devices are back on their previous version; " + "cause: " + firstCause(d));
    }
  }

  /** A device silent past the reply timeout is re-sent to (as PENDING), or given up on. */
  private DeviceRollout expire(Deployment d, FleetView fleet, DeviceRollout r, long now) {
    if (!r.status().awaitingReply() || now - r.sentAt() < settings.replyTimeoutMs()) {
      return r;
    }
    boolean rollback = r.status() == Status.ROLLBACK_SENT;
    DeviceRollout next;
    if (!fleet.online(r.deviceId()) || r.attempts() < settings.maxAttempts()) {
      next =
          rollback
              ? r.with(Status.ACTIVE, null, "rollback unanswered; retrying", now)
              : r.with(Status.PENDING, null, "no reply; will re-send", now);
    } else {
      next = r.with(Status.FAILED, null, "no reply after " + r.attempts() + " attempts", now);
    }
    d.update(next, now);
    return next;
  }

  private void desire(Deployment d, List<Action> actions) {
    Strategy.Phase phase = d.currentPhase();
    String slot = Slot.key(d.artifact().name(), phase.variant());
    ArtifactRef art = d.artifactFor(phase.variant());
    for (String device : phase.devices()) {
      actions.add(new Action.SetDesired(device, slot, art.version(), art.sha256(), d.id()));
      // Switching a staged variant (blue-green's green) to primary empties its slot on the device.
      if (Slot.PRIMARY.wireName().equals(phase.variant())) {
        for (String variantSlot : variantSlots(d)) {
          actions.add(new Action.SetDesired(device, variantSlot, null, null, d.id()));
        }
      }
    }
  }

  /** What a device should run after this deployment is undone: its old primary, no variants. */
  private static void undesire(Deployment d, DeviceRollout r, List<Action> actions) {
    actions.add(new Action.SetDesired(r.deviceId(), slot(d), r.previousVersion(), null, d.id()));
    for (String variantSlot : variantSlots(d)) {
      actions.add(new Action.SetDesired(r.deviceId(), variantSlot, null, null, d.id()));
    }
  }

  private static List<String> variantSlots(Deployment d) {
    return d.phases().stream()
        .map(Strategy.Phase::variant)
        .filter(v -> !Slot.PRIMARY.wireName().equals(v))
        .distinct()
        .map(v -> Slot.key(d.artifact().name(), v))
        .toList();
  }

  private static String slot(Deployment d) {
    return Slot.key(d.artifact().name(), Slot.PRIMARY.wireName());
  }

  private static String firstCause(Deployment d) {
    for (Deployment.Step s : d.history()) {
      if (s.transition() == Transition.GATE_FAILED || s.transition() == Transition.ROLLBACK) {
        return s.reason();
      }
    }
    return "unknown";
  }
}
