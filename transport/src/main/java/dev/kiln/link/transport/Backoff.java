package dev.kiln.link.transport;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential reconnect delay with "equal jitter": half the capped exponential delay is fixed, the
 * other half random. The fixed half keeps a flapping device from hammering the broker; the random
 * half keeps a fleet that lost the broker together from reconnecting in lockstep.
 */
public final class Backoff {
  private final long minMs;
  private final long maxMs;
  private final RandomGenerator random;
  private int attempt;

  public Backoff(Duration min, Duration max, RandomGenerator random) {
    this.minMs = min.toMillis();
    this.maxMs = max.toMillis();
    this.random = random;
  }

  /** The delay before the next attempt; grows until {@link #reset()}. */
  public synchronized Duration next() {
    long cap = minMs << Math.min(attempt, 30);
    if (cap <= 0 || cap > maxMs) {
      cap = maxMs;
    }
    attempt++;
    long half = cap / 2;
    return Duration.ofMillis(half + (long) (random.nextDouble() * (cap - half + 1)));
  }

  public synchronized void reset() {
    attempt = 0;
  }
}
