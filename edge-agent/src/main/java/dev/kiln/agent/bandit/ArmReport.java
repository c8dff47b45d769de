package dev.kiln.agent.bandit;

/**
 * One variant of a bandit model as {@code GET /models/{m}}, metrics and heartbeats report it.
 *
 * @param alpha the posterior's alpha: 1 + rewardSum
 * @param beta the posterior's beta: 1 + rewarded - rewardSum
 * @param probabilityBest the share of seeded posterior draws in which this variant's is highest
 * @param share the share of unpinned traffic the bandit sends it now: floor + (1 - k x floor) x
 *     probabilityBest
 */
public record ArmReport(
    String variant,
    long pulls,
    long rewarded,
    double rewardSum,
    double alpha,
    double beta,
    double posteriorMean,
    double probabilityBest,
    double share) {}
