package dev.kiln.agent.benchmark;

import java.util.function.IntSupplier;

/**
 * Whether production traffic is being served right now. A benchmark client checks it before every
 * request and waits while it says busy, so a benchmark on a device never starts a request while a
 * production request is in flight; what it can still cost production is the benchmark requests
 * already running when one arrives (at most {@code concurrency} engine calls of one configuration).
 */
@FunctionalInterface
public interface ProductionGate {
  /** No production traffic on this machine: {@code kiln recommend --local}. */
  ProductionGate NONE = () -> false;

  boolean busy();

  /** Busy while {@code inFlight} (the agent's HTTP requests in flight) is above zero. */
  static ProductionGate whileServing(IntSupplier inFlight) {
    return () -> inFlight.getAsInt() > 0;
  }
}
