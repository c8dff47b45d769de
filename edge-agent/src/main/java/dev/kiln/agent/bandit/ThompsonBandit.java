package dev.kiln.agent.bandit;

import dev.kiln.agent.config.RoutingConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * One model's bandit: Thompson sampling over its variants with an exploration floor. With k
 * variants and floor f (at most 1 / k), a request goes to a uniformly drawn variant with
 * probability k * f, else to the variant whose posterior draw is highest. So each variant's share
 * is f + (1 - k * f) * P(it is best), never below f. Thread-safe; every method is short.
 */
final class ThompsonBandit {
  /** Posterior draws behind the reported P(best) and shares. */
  static final int SHARE_DRAWS = 4000;

  /** Fixed, so the same state always reports the same shares. */
  static final long SHARE_SEED = 15;

  private final String model;
  private final RoutingConfig config;
  private final boolean fromFleet;
  private final Map<String, ArmStats> arms = new TreeMap<>();
  private boolean dirty;

  /**
   * @param fromFleet turned on by a fleet deploy rather than agent.json: its config is persisted
   *     with its state, and a later deploy or rollback turns it off
   */
  ThompsonBandit(
      String model, RoutingConfig config, Map<String, ArmStats> learned, boolean fromFleet) {
    this.model = model;
    this.config = config;
    this.fromFleet = fromFleet;
    this.arms.putAll(learned);
    this.dirty = fromFleet;
  }

  boolean fromFleet() {
    return fromFleet;
  }

  String model() {
    return model;
  }

  RoutingConfig config() {
    return config;
  }

  synchronized String choose(List<String> variants, RandomGenerator random) {
    int k = variants.size();
    if (k == 1) {
      return variants.get(0);
    }
    double floor = floor(k);
    if (random.nextDouble() < k * floor) {
      return variants.get(random.nextInt(k));
    }
    String best = null;
    double bestDraw = -1;
    for (String v : variants) {
      ArmStats a = arms.getOrDefault(v, ArmStats.NONE);
      double draw = BetaSampler.beta(a.alpha(), a.beta(), random);
      if (draw > bestDraw) {
        bestDraw = draw;
        best = v;
      }
    }
    return best;
  }

  double floor(int variants) {
    return Math.min(config.explorationFloor(), 1.0 / variants);
  }

  synchronized void pulled(String variant) {
    arms.merge(variant, ArmStats.NONE.pulled(), (old, one) -> old.pulled());
    dirty = true;
  }

  synchronized void rewarded(String variant, double reward) {
    arms.put(variant, arms.getOrDefault(variant, ArmStats.NONE).rewarded(reward));
    dirty = true;
  }

  synchronized Map<String, ArmStats> arms() {
    return Map.copyOf(arms);
  }

  /** The state to write, or null when nothing changed since the last call. */
  synchronized Map<String, ArmStats> takeDirty() {
    if (!dirty) {
      return null;
    }
    dirty = false;
    return Map.copyOf(arms);
  }

  synchronized void markDirty() {
    dirty = true;
  }

  /** The arms among {@code variants}, with P(best) estimated from seeded posterior draws. */
  List<ArmReport> report(List<String> variants) {
    Map<String, ArmStats> learned = arms();
    int k = variants.size();
    double[] wins = new double[k];
    if (k == 1) {
      wins[0] = SHARE_DRAWS;
    } else if (k > 1) {
      RandomGenerator random = new SplittableRandom(SHARE_SEED);
      for (int d = 0; d < SHARE_DRAWS; d++) {
        int best = 0;
        double bestDraw = -1;
        for (int i = 0; i < k; i++) {
          ArmStats a = learned.getOrDefault(variants.get(i), ArmStats.NONE);
          double draw = BetaSampler.beta(a.alpha(), a.beta(), random);
          if (draw > bestDraw) {
            bestDraw = draw;
            best = i;
          }
        }
        wins[best]++;
      }
    }
    double floor = k == 0 ? 0 : floor(k);
    Map<String, ArmReport> out = new LinkedHashMap<>();
    for (int i = 0; i < k; i++) {
      String v = variants.get(i);
      ArmStats a = learned.getOrDefault(v, ArmStats.NONE);
      double pBest = wins[i] / SHARE_DRAWS;
      double share = k == 1 ? 1.0 : floor + (1 - k * floor) * pBest;
      out.put(
          v,
          new ArmReport(
              v,
              a.pulls(),
              a.rewarded(),
              a.rewardSum(),
              a.alpha(),
              a.beta(),
              a.posteriorMean(),
              pBest,
              share));
    }
    return List.copyOf(out.values());
  }
}
