package dev.kiln.agent.bandit;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Served requests waiting for their reward by {@code POST /feedback}: request id to the model and
 * variant that served it (and its predicted class, to score a label against). Bounded: when full,
 * the oldest request is forgotten and counted as evicted; feedback for it then counts as unmatched,
 * as does feedback for an id never served by a bandit model. Kept in memory only: a restart forgets
 * the waiting requests, not what was learned.
 */
final class PendingRewards {
  /** One served request. {@code predicted} is the argmax class, or null for non-class outputs. */
  record Pending(String model, String variant, String predicted) {}

  private final int capacity;
  private long evicted;
  private final LinkedHashMap<String, Pending> waiting;

  PendingRewards(int capacity) {
    this.capacity = capacity;
    this.waiting =
        new LinkedHashMap<>(16, 0.75f, false) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Pending> eldest) {
            if (size() > PendingRewards.this.capacity) {
              evicted++;
              return true;
            }
            return false;
          }
        };
  }

  synchronized void put(String requestId, Pending pending) {
    waiting.put(requestId, pending);
  }

  synchronized Pending peek(String requestId) {
    return waiting.get(requestId);
  }

  /** Removes and returns the request, so a second reward for it counts as unmatched. */
  synchronized Pending take(String requestId) {
    return waiting.remove(requestId);
  }

  synchronized int size() {
    return waiting.size();
  }

  synchronized long evicted() {
    return evicted;
  }
}
