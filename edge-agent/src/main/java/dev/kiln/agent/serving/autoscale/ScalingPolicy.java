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
 *   <li>Scale in: one replica fewer would still hold the window's average at or under the target,
 *       there are more than {@code max(minReplicas, 1)}, and the scale-in cooldown has passed since
 *       the last scaling of either kind: one replica fewer.
 * </ol>
 *
 * Scaling in by the "one fewer would still hold" rule, rather than "under the target now", keeps a
 * steady load from flapping between two counts.
 */
public final class ScalingPolicy {
  /** The window the in-flight average is taken over. */
  public static final long WINDOW_NANOS = 1_000_000_000L;

  private static final long SECOND = 1_000_000_000L;

  private final AgentConfig.ModelAutoscaling spec;
  private final int maxReplicas;
  private final ArrayDeque<Sample> window = new ArrayDeque<>();
  private final long createdAt;
  private long lastScaleOutAt;
  private long lastChangeAt;
  private long lastActiveAt;
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
    boolean fullWindow = now - createdAt >= WINDOW_NANOS;
    if (replicas > floor
        && fullWindow
        && average <= spec.targetInFlightPerReplica() * (replicas - 1)
        && now - lastChangeAt >= spec.scaleInCooldownS() * SECOND) {
      return decide(
          replicas,
          replicas - 1,
          "scale in: "
              + (replicas - 1)
              + " replica(s) hold the load at target "
              + spec.targetInFlightPerReplica(),
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
