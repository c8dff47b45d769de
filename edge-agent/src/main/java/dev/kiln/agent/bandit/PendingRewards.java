package dev.kiln.agent.bandit;

import dev.kiln.agent.runtime.Tensor;
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

  /** Outputs larger than this are not scored for a label (no argmax over huge tensors). */
  static final int MAX_SCORED_CLASSES = 100_000;

  /** The argmax over the last axis of the first output's first row, as a class label. */
  static String predicted(Map<String, Tensor> outputs) {
    if (outputs == null || outputs.isEmpty()) {
      return null;
    }
    Tensor t = outputs.values().iterator().next();
    int classes =
        t.shape().length == 0 ? 1 : (int) Math.min(t.shape()[t.shape().length - 1], t.size());
    if (classes < 1 || classes > MAX_SCORED_CLASSES) {
      return null;
    }
    int best = 0;
    for (int i = 1; i < classes; i++) {
      if (t.get(i) > t.get(best)) {
        best = i;
      }
    }
    return Integer.toString(best);
  }
}
