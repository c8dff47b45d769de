package dev.kiln.fleet.rollout;

import dev.kiln.fleet.rollout.DeviceRollout.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The bake of a {@code bandit} deployment: while the health gates watch the arms, the devices'
 * bandits learn; the console adds up their posteriors ({@link BanditVerdict}) on every step and
 * records the arms over time. It promotes a new version fleet-wide as soon as it is best among the
 * arms with {@link BanditVerdict#CONFIDENCE} and the health gates pass, rolls back as soon as the
 * running version is best with that confidence, and at the end of the duration keeps the running
 * version (rolls back) when neither is.
 */
final class BanditStep {
  private BanditStep() {}

  static void bake(
      Deployment d, FleetView fleet, long now, GateResult health, Runnable advanceToPromotion) {
    String old = runningVersion(d);
    String model = d.artifact().name();
    List<Map<String, Double>> metrics = new ArrayList<>();
    for (DeviceRollout r : d.currentPhaseDevices()) {
      if (r.status() == Status.ACTIVE) {
        metrics.add(fleet.metrics(r.deviceId()));
      }
    }
    List<String> versions = arms(old, d);
    BanditVerdict.Snapshot s = BanditVerdict.assess(model, versions, metrics, now);
    d.recordBandit(s, now);
    boolean ended = now >= d.bakeUntil();
    boolean healthy = health.verdict() == GateResult.Verdict.PASS;
    if (versions.size() == 1) {
      // Nothing to compare against: the devices ran no other version. Healthy is enough.
      if (ended && healthy) {
        d.apply(Transition.PROMOTE, now, "bandit arms: only one version; " + health.reason());
        advanceToPromotion.run();
      }
      return;
    }
    if (s.decision() == BanditVerdict.Decision.PROMOTE && healthy) {
      d.promoteArm(s.winner());
      d.apply(
          Transition.PROMOTE,
          now,
          s.winner()
              + " is best with P >= "
              + BanditVerdict.CONFIDENCE
              + ": "
              + s.reason()
              + "; "
              + health.reason());
      advanceToPromotion.run();
    } else if (s.decision() == BanditVerdict.Decision.KEEP_OLD) {
      d.apply(
          Transition.ROLLBACK,
          now,
          "the running version "
              + old
              + " is best with P >= "
              + BanditVerdict.CONFIDENCE
              + ": "
              + s.reason());
    } else if (ended && s.decision() == BanditVerdict.Decision.UNDECIDED) {
      d.apply(
          Transition.ROLLBACK,
          now,
          "no version is best with P >= "
              + BanditVerdict.CONFIDENCE
              + " after "
              + Strategy.human(d.strategy().bake())
              + "; keeping "
              + old
              + ": "
              + s.reason());
    }
  }

  /**
   * The arms in the verdict's order: the running version first, then each deployed version. Only
   * the deployed ones when the devices ran none of the others (or ran the deployed one already).
   */
  static List<String> arms(String old, Deployment d) {
    List<String> deployed = d.armVersions();
    if (old == null || deployed.contains(old)) {
      return deployed;
    }
    List<String> all = new ArrayList<>();
    all.add(old);
    all.addAll(deployed);
    return List.copyOf(all);
  }

  /** The version most devices ran as primary before the deployment. */
  private static String runningVersion(Deployment d) {
    Map<String, Integer> votes = new HashMap<>();
    for (DeviceRollout r : d.devices().values()) {
      if (r.previousVersion() != null) {
        votes.merge(r.previousVersion(), 1, Integer::sum);
      }
    }
    return votes.entrySet().stream()
        .max(Map.Entry.comparingByValue())
        .map(Map.Entry::getKey)
        .orElse(null);
  }
}
