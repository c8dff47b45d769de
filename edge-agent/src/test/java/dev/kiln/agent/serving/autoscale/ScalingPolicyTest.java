package dev.kiln.agent.serving.autoscale;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.config.AgentConfig;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The scaler's decisions, on a clock the test moves. */
class ScalingPolicyTest {
  private static final long MS = 1_000_000L;
  private static final long S = 1000 * MS;

  private static AgentConfig.ModelAutoscaling spec(int min, int max, int outS, int inS, int idle) {
    return new AgentConfig.ModelAutoscaling(min, max, 1.0, outS, inS, idle, 30);
  }

  /** Samples every 100 ms from {@code from} for {@code millis}, returning the first decision. */
  private static Optional<ScalingPolicy.Decision> run(
      ScalingPolicy p, long[] clock, long millis, int replicas, int inFlight, long[] requests) {
    for (long t = 0; t < millis; t += 100) {
      clock[0] += 100 * MS;
      requests[0] += inFlight;
      Optional<ScalingPolicy.Decision> d = p.sample(clock[0], replicas, inFlight, requests[0]);
      if (d.isPresent()) {
        p.applied(d.get(), clock[0]);
        return d;
      }
    }
    return Optional.empty();
  }

  @Test
  void scalesOut_byOne_whenInFlightPerReplicaExceedsTarget_thenWaitsTheCooldown() {
    long[] clock = {0};
    long[] requests = {0};
    ScalingPolicy p = new ScalingPolicy(spec(1, 3, 5, 60, 300), 3, clock[0]);

    Optional<ScalingPolicy.Decision> d = run(p, clock, 1000, 1, 4, requests);
    assertThat(d).isPresent();
    assertThat(d.get().from()).isEqualTo(1);
    assertThat(d.get().to()).isEqualTo(2);
    assertThat(d.get().reason()).contains("scale out");
    assertThat(d.get().inFlightPerReplica()).isEqualTo(4.0);
    assertThat(d.get().toString()).contains("1 -> 2 replicas").contains("4.00 in flight");

    long decidedAt = clock[0];
    assertThat(run(p, clock, 4800, 2, 4, requests)).as("within the 5 s cooldown").isEmpty();
    Optional<ScalingPolicy.Decision> next = run(p, clock, 1000, 2, 4, requests);
    assertThat(next).isPresent();
    assertThat(next.get().to()).isEqualTo(3);
    assertThat(clock[0] - decidedAt).isGreaterThanOrEqualTo(5 * S);
  }

  @Test
  void neverScalesOut_pastMax_norOnLoadAtTarget() {
    long[] clock = {0};
    long[] requests = {0};
    ScalingPolicy p = new ScalingPolicy(spec(1, 3, 0, 60, 300), 3, clock[0]);
    assertThat(run(p, clock, 5000, 3, 9, requests)).as("at max").isEmpty();
    ScalingPolicy q = new ScalingPolicy(spec(1, 3, 0, 60, 300), 3, clock[0]);
    assertThat(run(q, clock, 5000, 2, 2, requests)).as("exactly at the target").isEmpty();
  }

  @Test
  void scalesIn_afterTheCooldown_whenOneFewerHoldsTheLoad_neverBelowMin() {
    long[] clock = {0};
    long[] requests = {0};
    ScalingPolicy p = new ScalingPolicy(spec(1, 3, 0, 10, 300), 3, clock[0]);
    run(p, clock, 1000, 1, 5, requests); // 1 -> 2
    long lastChange = clock[0];

    assertThat(run(p, clock, 9000, 3, 0, requests)).as("within the scale-in cooldown").isEmpty();
    Optional<ScalingPolicy.Decision> in = run(p, clock, 2000, 3, 0, requests);
    assertThat(in).isPresent();
    assertThat(in.get().to()).isEqualTo(2);
    assertThat(in.get().reason()).contains("scale in");
    assertThat(clock[0] - lastChange).isGreaterThanOrEqualTo(10 * S);

    assertThat(run(p, clock, 11_000, 2, 0, requests).get().to()).isEqualTo(1);
    assertThat(run(p, clock, 60_000, 1, 0, requests)).as("min 1").isEmpty();
  }

  @Test
  void steadyLoad_doesNotFlap() {
    long[] clock = {0};
    long[] requests = {0};
    // 2 in flight on 3 replicas: 2 would hold it at the target, but not at half of it: stay.
    ScalingPolicy p = new ScalingPolicy(spec(1, 3, 0, 0, 300), 3, clock[0]);
    assertThat(run(p, clock, 30_000, 3, 2, requests)).isEmpty();
    // 1 in flight on 3: 2 replicas hold it at half the target, so one goes; on 2 it stays.
    ScalingPolicy q = new ScalingPolicy(spec(1, 3, 0, 0, 300), 3, clock[0]);
    assertThat(run(q, clock, 30_000, 3, 1, requests).get().to()).isEqualTo(2);
    assertThat(run(q, clock, 30_000, 2, 1, requests)).isEmpty();
  }

  @Test
  void scaleIn_needsTheLoadLow_forTheWholeCooldown() {
    long[] clock = {0};
    long[] requests = {0};
    ScalingPolicy p = new ScalingPolicy(spec(1, 3, 0, 5, 300), 3, clock[0]);
    assertThat(run(p, clock, 2000, 3, 9, requests)).as("at max").isEmpty();
    // Busy for 1 s in every 4: never 5 s quiet, so no scale-in.
    for (int i = 0; i < 5; i++) {
      assertThat(run(p, clock, 3000, 3, 0, requests)).isEmpty();
      assertThat(run(p, clock, 1000, 3, 9, requests)).isEmpty();
    }
    long quietFrom = clock[0];
    Optional<ScalingPolicy.Decision> in = run(p, clock, 10_000, 3, 0, requests);
    assertThat(in.get().to()).isEqualTo(2);
    assertThat(clock[0] - quietFrom).isGreaterThanOrEqualTo(5 * S);
  }

  @Test
  void belowMin_scalesOut_withoutWaitingForLoad() {
    long[] clock = {0};
    long[] requests = {0};
    ScalingPolicy p = new ScalingPolicy(spec(2, 3, 30, 60, 300), 3, clock[0]);
    Optional<ScalingPolicy.Decision> d = run(p, clock, 100, 1, 0, requests);
    assertThat(d).isPresent();
    assertThat(d.get().to()).isEqualTo(2);
    assertThat(d.get().reason()).contains("below minReplicas 2");
  }

  @Test
  void minZero_unloadsAfterIdleSeconds_onlyWithNothingInFlight() {
    long[] clock = {0};
    long[] requests = {0};
    ScalingPolicy p = new ScalingPolicy(spec(0, 2, 0, 0, 5), 2, clock[0]);
    assertThat(run(p, clock, 10_000, 1, 1, requests))
        .as("a request in flight keeps it loaded")
        .isEmpty();
    long lastActive = clock[0];
    Optional<ScalingPolicy.Decision> d = run(p, clock, 10_000, 1, 0, requests);
    assertThat(d).isPresent();
    assertThat(d.get().to()).isZero();
    assertThat(d.get().reason()).contains("scale to zero");
    assertThat(clock[0] - lastActive).isGreaterThanOrEqualTo(5 * S);
  }

  @Test
  void minZero_requestsBetweenSamples_countAsActivity() {
    long[] clock = {0};
    ScalingPolicy p = new ScalingPolicy(spec(0, 2, 0, 0, 5), 2, clock[0]);
    for (int i = 1; i <= 100; i++) {
      clock[0] += 100 * MS;
      // Short requests: never in flight at a sample, but the counter moves.
      assertThat(p.sample(clock[0], 1, 0, i)).isEmpty();
    }
  }

  @Test
  void cappedMax_isTheLimit() {
    long[] clock = {0};
    long[] requests = {0};
    ScalingPolicy p = new ScalingPolicy(spec(1, 8, 0, 60, 300), 2, clock[0]);
    assertThat(run(p, clock, 1000, 1, 5, requests).get().to()).isEqualTo(2);
    assertThat(run(p, clock, 5000, 2, 5, requests)).isEmpty();
  }
}
