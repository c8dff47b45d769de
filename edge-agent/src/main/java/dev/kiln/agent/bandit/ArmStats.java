package dev.kiln.agent.bandit;

/**
 * What one variant (arm) has learned. The posterior of its mean reward is Beta(alpha, beta) from a
 * uniform Beta(1, 1) prior. A reward r in [0, 1] adds r to alpha and 1 - r to beta: a 0/1 reward is
 * the textbook Bernoulli update, and a fractional one counts as r of a success, which has the same
 * expectation as the Bernoulli trick (a success drawn with probability r) without its noise.
 *
 * @param pulls requests this variant served (chosen by the bandit or named by a header)
 * @param rewarded requests whose reward arrived
 * @param rewardSum sum of those rewards
 */
public record ArmStats(long pulls, long rewarded, double rewardSum) {
  public static final ArmStats NONE = new ArmStats(0, 0, 0);

  public double alpha() {
    return 1 + rewardSum;
  }

  public double beta() {
    return 1 + rewarded - rewardSum;
  }

  /** The posterior mean: the estimated reward, 0.5 before any reward. */
  public double posteriorMean() {
    return alpha() / (alpha() + beta());
  }

  ArmStats pulled() {
    return new ArmStats(pulls + 1, rewarded, rewardSum);
  }

  ArmStats rewarded(double reward) {
    return new ArmStats(pulls, rewarded + 1, rewardSum + reward);
  }
}
