package dev.kiln.agent.serving.autoscale;

/**
 * What autoscaling did to one model version, kept across its unloads and reloads: the figures of
 * {@code GET /models/{name}} and {@code /metrics}. Thread-safe.
 */
final class VersionScaling {
  /** Where the version stands. */
  enum State {
    /** Loaded, serving with one or more replicas. */
    LOADED,
    /** Unloaded after {@code idleSeconds} without requests; the next request loads it. */
    SCALED_TO_ZERO,
    /** Unloaded for another reason (memory budget, retired); the next request loads it. */
    UNLOADED
  }

  /**
   * A copy for JSON.
   *
   * @param engineCalls engine calls the replicas ran since the version last loaded; with dynamic
   *     batching a batch is one call, so fewer than the requests served
   */
  record Snapshot(
      String state,
      int replicas,
      int desiredReplicas,
      int inFlight,
      int peakConcurrentEngineCalls,
      long engineCalls,
      long scaleOuts,
      long scaleIns,
      long scaleOutsRefused,
      long coldStarts,
      long lastColdStartMs,
      String lastDecision) {}

  private State state = State.LOADED;
  private int replicas;
  private int desired;
  private int inFlight;
  private int peakEngineCalls;
  private long engineCalls;
  private long scaleOuts;
  private long scaleIns;
  private long refused;
  private long coldStarts;
  private long lastColdStartMs = -1;
  private String lastDecision;

  synchronized void observe(
      int replicas, int desired, int inFlight, int peakEngineCalls, long engineCalls) {
    this.state = State.LOADED;
    this.replicas = replicas;
    this.desired = desired;
    this.inFlight = inFlight;
    this.peakEngineCalls = Math.max(this.peakEngineCalls, peakEngineCalls);
    this.engineCalls = engineCalls;
  }

  synchronized void decided(ScalingPolicy.Decision d) {
    lastDecision = d.toString();
    desired = d.to();
    if (d.out()) {
      scaleOuts++;
    } else {
      scaleIns++;
    }
  }

  synchronized void refused(ScalingPolicy.Decision d) {
    lastDecision = "refused " + d;
    refused++;
  }

  synchronized void unloaded(boolean toZero) {
    if (state != State.SCALED_TO_ZERO) {
      state = toZero ? State.SCALED_TO_ZERO : State.UNLOADED;
    }
    replicas = 0;
    desired = 0;
    inFlight = 0;
  }

  /**
   * A load finished.
   *
   * @return true when it was a cold start: the load after scaling to zero
   */
  synchronized boolean loaded(long millis) {
    boolean cold = state == State.SCALED_TO_ZERO;
    if (cold) {
      coldStarts++;
      lastColdStartMs = millis;
    }
    state = State.LOADED;
    replicas = Math.max(replicas, 1);
    desired = Math.max(desired, 1);
    return cold;
  }

  synchronized boolean scaledToZero() {
    return state == State.SCALED_TO_ZERO;
  }

  synchronized Snapshot snapshot() {
    return new Snapshot(
        state.name(),
        replicas,
        desired,
        inFlight,
        peakEngineCalls,
        engineCalls,
        scaleOuts,
        scaleIns,
        refused,
        coldStarts,
        lastColdStartMs,
        lastDecision);
  }
}
