package dev.kiln.agent.bandit;

import java.util.Map;

/** The bandits' lines for {@code GET /metrics}, in Prometheus text format 0.0.4. */
final class BanditMetrics {
  private BanditMetrics() {}

  static String render(Bandits bandits) {
    StringBuilder pulls = new StringBuilder();
    StringBuilder rewarded = new StringBuilder();
    StringBuilder rewardSum = new StringBuilder();
    StringBuilder mean = new StringBuilder();
    StringBuilder share = new StringBuilder();
    StringBuilder pending = new StringBuilder();
    StringBuilder evicted = new StringBuilder();
    for (String model : new java.util.TreeSet<>(bandits.bandits().keySet())) {
      for (ArmReport a : bandits.arms(model)) {
        String labels = "{model=\"" + escape(model) + "\",variant=\"" + escape(a.variant()) + "\"}";
        pulls.append("kiln_bandit_pulls_total").append(labels).append(' ').append(a.pulls());
        pulls.append('\n');
        rewarded.append("kiln_bandit_rewards_total").append(labels).append(' ');
        rewarded.append(a.rewarded()).append('\n');
        rewardSum.append("kiln_bandit_reward_sum").append(labels).append(' ');
        rewardSum.append(a.rewardSum()).append('\n');
        mean.append("kiln_bandit_posterior_mean").append(labels).append(' ');
        mean.append(a.posteriorMean()).append('\n');
        share.append("kiln_bandit_traffic_share").append(labels).append(' ');
        share.append(a.share()).append('\n');
      }
      String labels = "{model=\"" + escape(model) + "\"}";
      PendingRewards p = bandits.pending().get(model);
      if (p == null) {
        continue;
      }
      pending.append("kiln_bandit_pending_requests").append(labels).append(' ');
      pending.append(p.size()).append('\n');
      evicted.append("kiln_bandit_pending_evicted_total").append(labels).append(' ');
      evicted.append(p.evicted()).append('\n');
    }
    StringBuilder out = new StringBuilder();
    section(out, "kiln_bandit_pulls_total", "counter", "Requests each variant served.", pulls);
    section(out, "kiln_bandit_rewards_total", "counter", "Rewards received per variant.", rewarded);
    section(out, "kiln_bandit_reward_sum", "counter", "Sum of rewards per variant.", rewardSum);
    section(out, "kiln_bandit_posterior_mean", "gauge", "Posterior mean reward per variant.", mean);
    section(
        out,
        "kiln_bandit_traffic_share",
        "gauge",
        "Share of unpinned traffic the bandit sends each variant now.",
        share);
    section(
        out,
        "kiln_bandit_pending_requests",
        "gauge",
        "Served requests waiting for feedback.",
        pending);
    section(
        out,
        "kiln_bandit_pending_evicted_total",
        "counter",
        "Requests forgotten before their feedback came, the waiting map being full.",
        evicted);
    for (Map.Entry<String, Long> c :
        Map.of(
                "kiln_bandit_feedback_unmatched_total", bandits.unmatched(),
                "kiln_bandit_reward_clamped_total", bandits.clamped(),
                "kiln_bandit_state_write_errors_total", bandits.writeErrors())
            .entrySet()) {
      out.append("# TYPE ").append(c.getKey()).append(" counter\n");
      out.append(c.getKey()).append(' ').append(c.getValue()).append('\n');
    }
    return out.toString();
  }

  private static void section(
      StringBuilder out, String name, String type, String help, StringBuilder lines) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    out.append(lines);
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
