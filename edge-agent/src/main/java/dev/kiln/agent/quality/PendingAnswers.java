package dev.kiln.agent.quality;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Served requests waiting for ground truth: request id to what each version answered (two answers
 * when a shadow saw the same request). Bounded by count: when full, the oldest request is forgotten
 * and counted as evicted. Request ids are at most 64 characters (the agent's own rule), so an entry
 * stays under about {@link #MAX_ENTRY_BYTES} bytes and the whole map under capacity times that
 * (about 3 MB at the default 10,000). In memory only: a restart forgets the waiting requests, and a
 * label for one of them then counts as unmatched.
 */
final class PendingAnswers {
  /** A generous bound on one entry: a 64-character id, the map entry, two answers. */
  static final int MAX_ENTRY_BYTES = 320;

  private final int capacity;
  private long evicted;
  private final LinkedHashMap<String, List<ServedAnswer>> waiting;

  PendingAnswers(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
    }
    this.capacity = capacity;
    this.waiting =
        new LinkedHashMap<>(16, 0.75f, false) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, List<ServedAnswer>> eldest) {
            if (size() > PendingAnswers.this.capacity) {
              evicted++;
              return true;
            }
            return false;
          }
        };
  }

  /** Remembers an answer; a second answer for the same id (the shadow's) joins the first. */
  synchronized void put(String requestId, ServedAnswer answer) {
    List<ServedAnswer> before = waiting.get(requestId);
    if (before == null) {
      waiting.put(requestId, List.of(answer));
    } else if (before.size() < 2) {
      waiting.put(requestId, List.of(before.get(0), answer));
    }
  }

  /** Removes and returns the answers, so a second label for the same id counts as unmatched. */
  synchronized List<ServedAnswer> take(String requestId) {
    return waiting.remove(requestId);
  }

  synchronized int size() {
    return waiting.size();
  }

  int capacity() {
    return capacity;
  }

  synchronized long evicted() {
    return evicted;
  }
}
