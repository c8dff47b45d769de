package dev.kiln.fleet.rollout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Judges a {@code bandit} deployment from its devices' heartbeats: each device reports per version
 * its pulls, rewarded count and reward sum; adding them up over the devices gives one Beta(1 +
 * rewardSum, 1 + rewarded - rewardSum) posterior per version. P(best) is the share of {@link
 * #DRAWS} joint posterior draws (seeded, so the same figures give the same answer) in which that
 * version's draw is highest. A version is the winner when P(best) >= {@link #CONFIDENCE} and every
 * arm has at least {@link #MIN_REWARDS} rewards, so two unlucky early rewards decide nothing.
 */
public final class BanditVerdict {
  public static final double CONFIDENCE = 0.95;
  public static final int MIN_REWARDS = 10;
  static final int DRAWS = 20_000;
  static final long SEED = 15;

  /** Heartbeat metric keys the console derives from {@code ModelState.bandit}. */
  public static String key(String model, String version, String field) {
    return "bandit/" + model + "/" + version + "/" + field;
  }

  private BanditVerdict() {}

  /** What the fleet's bandit says now. */
  public enum Decision {
    /** A new version (the snapshot's {@code winner}) is best with the stated confidence. */
    PROMOTE,
    /** The running version is best with the stated confidence. */
    KEEP_OLD,
    /** Not confident yet. */
    UNDECIDED
  }

  /**
   * One arm over the fleet.
   *
   * @param share mean over the reporting devices of the share their bandit gives this version
   * @param estimatedReward the posterior mean
   */
  public record Arm(
      String version,
      long pulls,
      long rewarded,
      double rewardSum,
      double share,
      double estimatedReward,
      double probabilityBest) {}

  /**
   * The arms at one time, with the decision they support.
   *
   * @param winner the version best with the stated confidence; null while {@code UNDECIDED}
   */
  public record Snapshot(
      long at, int devices, List<Arm> arms, Decision decision, String reason, String winner) {}

  /**
   * @param versions the running version first, then each new one (two or more arms in all)
   * @param devices heartbeat metrics of the devices serving the arms; no decision until every one
   *     of them reports its bandit
   */
  public static Snapshot assess(
      String model, List<String> versions, List<Map<String, Double>> devices, long now) {
    int k = versions.size();
    long[] pulls = new long[k];
    long[] rewarded = new long[k];
    double[] sums = new double[k];
    double[] shares = new double[k];
    int reporting = 0;
    for (Map<String, Double> m : devices) {
      if (!m.containsKey(key(model, versions.get(0), "pulls"))) {
        continue;
      }
      reporting++;
      for (int i = 0; i < k; i++) {
        pulls[i] += m.getOrDefault(key(model, versions.get(i), "pulls"), 0.0).longValue();
        rewarded[i] += m.getOrDefault(key(model, versions.get(i), "rewarded"), 0.0).longValue();
        sums[i] += m.getOrDefault(key(model, versions.get(i), "reward_sum"), 0.0);
        shares[i] += m.getOrDefault(key(model, versions.get(i), "share"), 0.0);
      }
    }
    double[] wins = new double[k];
    RandomGenerator random = new SplittableRandom(SEED);
    for (int d = 0; d < DRAWS; d++) {
      int best = 0;
      double bestDraw = -1;
      for (int i = 0; i < k; i++) {
        double draw = Beta.draw(1 + sums[i], 1 + rewarded[i] - sums[i], random);
        if (draw > bestDraw) {
          bestDraw = draw;
          best = i;
        }
      }
      wins[best]++;
    }
    List<Arm> arms = new ArrayList<>();
    // A fleet-wide verdict waits for every device: one device's figures must not decide for the
    // others before their bandits have been heard from.
    boolean enough = reporting > 0 && reporting == devices.size();
    for (int i = 0; i < k; i++) {
      double a = 1 + sums[i];
      double b = 1 + rewarded[i] - sums[i];
      arms.add(
          new Arm(
              versions.get(i),
              pulls[i],
              rewarded[i],
              sums[i],
              reporting == 0 ? 0 : shares[i] / reporting,
              a / (a + b),
              wins[i] / DRAWS));
      enough &= rewarded[i] >= MIN_REWARDS;
    }
    // With CONFIDENCE above one half at most one arm can reach it, so the first found is the one.
    Decision decision = Decision.UNDECIDED;
    String winner = null;
    for (int i = 0; enough && i < k; i++) {
      if (arms.get(i).probabilityBest() >= CONFIDENCE) {
        decision = i == 0 ? Decision.KEEP_OLD : Decision.PROMOTE;
        winner = versions.get(i);
        break;
      }
    }
    String reason = describe(arms, reporting);
    if (reporting < devices.size()) {
      reason += " (waiting for the bandits of " + (devices.size() - reporting) + " more)";
    }
    return new Snapshot(now, reporting, List.copyOf(arms), decision, reason, winner);
  }

  static String describe(List<Arm> arms, int devices) {
    StringBuilder out = new StringBuilder("bandit over " + devices + " device(s):");
    for (Arm a : arms) {
      out.append(
          String.format(
              java.util.Locale.ROOT,
              " %s reward %.3f (%d rewards of %d requests, share %.2f, P(best) %.3f);",
              a.version(),
              a.estimatedReward(),
              a.rewarded(),
              a.pulls(),
              a.share(),
              a.probabilityBest()));
    }
    out.setLength(out.length() - 1);
    return out.toString();
  }

  /** Beta draws as X / (X + Y) of Gamma draws (Marsaglia and Tsang), as on the device. */
  static final class Beta {
    private Beta() {}

    static double draw(double a, double b, RandomGenerator random) {
      double x = gamma(a, random);
      double y = gamma(b, random);
      return x / (x + y);
    }

    static double gamma(double shape, RandomGenerator random) {
      if (shape < 1) {
        return gamma(shape + 1, random) * Math.pow(random.nextDouble(), 1 / shape);
      }
      double d = shape - 1.0 / 3;
      double c = 1 / Math.sqrt(9 * d);
      while (true) {
        double x = random.nextGaussian();
        double v = 1 + c * x;
        if (v <= 0) {
          continue;
        }
        v = v * v * v;
        double u = random.nextDouble();
        if (u < 1 - 0.0331 * x * x * x * x
            || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
          return d * v;
        }
      }
    }
  }
}
