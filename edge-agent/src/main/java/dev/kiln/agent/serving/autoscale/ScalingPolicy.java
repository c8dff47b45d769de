package dev.kiln.agent.serving.autoscale;

import dev.kiln.agent.config.AgentConfig;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Optional;

/**
 * Target tracking for the replicas of one loaded model version. Pure logic: the caller passes the
 * time and what it sampled, and gets back at most one {@link Decision}; it applies the decision and
 * reports it with {@link #applied}. Rules, checked in this order:
 *
 * <ol>
 *   <li>Fewer replicas than {@code minReplicas} (a replica was refused or failed to load): scale
 *       out, once per scale-out cooldown.
 *   <li>Scale to zero ({@code minReplicas} 0): no request in flight and none started for {@code
 *       idleSeconds}: go to 0 replicas (the model unloads; the next request loads it).
 *   <li>Scale out: the requests in flight per replica, averaged over the last {@link
 *       #WINDOW_NANOS}, exceed the target, there are fewer than the maximum, and the scale-out
 *       cooldown has passed since the last scale-out: one replica more.
 *   <li>Scale in: for the whole scale-in cooldown, the window's average stayed at or under {@link
 *       #SCALE_IN_HEADROOM} of what one replica fewer would hold at the target, there are more than
 *       {@code max(minReplicas, 1)}, and the cooldown has also passed since the last scaling of
 *       either kind: one replica fewer.
 * </ol>
 *
 * Why the headroom: requests in flight include those waiting for a replica, so removing one makes
 * the rest wait and the figure rise. On 2 cores, 8 clients of the CNN measured 1.1 in flight on one
 * replica and 0.4-0.6 on two; scaling in as soon as "two would hold it at the target" flapped
 * between 1 and 2 every cooldown. Asking for half the target, sustained, keeps a steady load at one
 * count.
 */
public final class ScalingPolicy {
  /** The window the in-flight average is taken over. */
  public static final long WINDOW_NANOS = 1_000_000_000L;

  /** Scale in only when one replica fewer would run at most this share of the target. */
  public static final double SCALE_IN_HEADROOM = 0.5;

  private static final long SECOND = 1_000_000_000L;

  private final AgentConfig.ModelAutoscaling spec;
  private final int maxReplicas;
  private final ArrayDeque<Sample> window = new ArrayDeque<>();
  private final long createdAt;
  private long lastScaleOutAt;
  private long lastChangeAt;
  private long lastActiveAt;
  private long lastBusyAt;
  private long lastRequests;

  private record Sample(long at, int inFlight) {}

  /** What to do, and why, in the form the log line and the status show. */
  public record Decision(int from, int to, String reason, double inFlightPerReplica) {
    public boolean out() {
      return to > from;
    }

    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "%d -> %d replicas (%s; %.2f in flight per replica over the last %.1f s)",
          from,
          to,
          reason,
          inFlightPerReplica,
          WINDOW_NANOS / 1e9);
    }
  }

  /**
   * @param maxReplicas the effective maximum: {@code spec.maxReplicas()} capped by the cores
   * @param now when the version was loaded (nanoseconds on the caller's clock): the cooldowns and
   *     the idle time count from it
   */
  public ScalingPolicy(AgentConfig.ModelAutoscaling spec, int maxReplicas, long now) {
    this.spec = spec;
    this.maxReplicas = maxReplicas;
    this.createdAt = now;
    this.lastScaleOutAt = now - spec.scaleOutCooldownS() * SECOND;
    this.lastChangeAt = now;
    this.lastActiveAt = now;
    this.lastBusyAt = now;
  }

  /**
   * @param now the caller's clock, in nanoseconds
   * @param replicas replicas serving or being loaded
   * @param inFlight requests in the model now, waiting for a replica or running on one
   * @param requests requests started since the version loaded (a counter)
   */
  public Optional<Decision> sample(long now, int replicas, int inFlight, long requests) {
    if (inFlight > 0 || requests != lastRequests) {
      lastActiveAt = now;
    }
    lastRequests = requests;
    window.addLast(new Sample(now, inFlight));
    while (window.peekFirst().at() < now - WINDOW_NANOS) {
      window.removeFirst();
    }
    double average = window.stream().mapToInt(Sample::inFlight).average().orElse(0);
    double perReplica = replicas == 0 ? average : average / replicas;
    int floor = Math.max(1, spec.minReplicas());
    boolean outCooled = now - lastScaleOutAt >= spec.scaleOutCooldownS() * SECOND;
    if (replicas < Math.min(floor, maxReplicas) && outCooled) {
      return decide(replicas, replicas + 1, "below minReplicas " + spec.minReplicas(), perReplica);
    }
    if (spec.minReplicas() == 0
        && replicas > 0
        && inFlight == 0
        && now - lastActiveAt >= spec.idleSeconds() * SECOND) {
      return decide(
          replicas,
          0,
          "scale to zero: no requests for " + (now - lastActiveAt) / SECOND + " s",
          perReplica);
    }
    if (perReplica > spec.targetInFlightPerReplica() && replicas < maxReplicas && outCooled) {
      return decide(
          replicas,
          replicas + 1,
          "scale out: above target " + spec.targetInFlightPerReplica(),
          perReplica);
    }
    double scaleInBelow = spec.targetInFlightPerReplica() * (replicas - 1) * SCALE_IN_HEADROOM;
    boolean quiet = average <= scaleInBelow && now - createdAt >= WINDOW_NANOS;
    if (!quiet) {
      lastBusyAt = now;
    }
    long inCooldown = spec.scaleInCooldownS() * SECOND;
    if (replicas > floor
        && quiet
        && now - lastBusyAt >= inCooldown
        && now - lastChangeAt >= inCooldown) {
      return decide(
          replicas,
          replicas - 1,
          String.format(
              Locale.ROOT,
              "scale in: at most %.2f in flight for %d s, %d replica(s) hold it",
              scaleInBelow,
              spec.scaleInCooldownS(),
              replicas - 1),
          perReplica);
    }
    return Optional.empty();
  }

  private static Optional<Decision> decide(int from, int to, String reason, double perReplica) {
    return Optional.of(new Decision(from, to, reason, perReplica));
  }

  /**
   * The caller carried out {@code d} (or tried to: a refused scale-out still waits a cooldown
   * before it is tried again, so a full memory budget is not retried and logged every sample).
   */
  public void applied(Decision d, long now) {
    lastChangeAt = now;
    if (d.out()) {
      lastScaleOutAt = now;
    }
  }
}
