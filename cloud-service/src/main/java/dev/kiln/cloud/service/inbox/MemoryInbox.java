package dev.kiln.cloud.service.inbox;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The inbox in memory, for tests of what sits above it: the same contract as {@link FileInbox}
 * except that a restart forgets everything.
 */
public final class MemoryInbox implements Inbox {
  private final Map<String, InboxRequest> requests = new LinkedHashMap<>();
  private long seq;

  @Override
  public synchronized InboxRequest append(InboxRequest request) {
    if (requests.containsKey(request.requestId())) {
      throw new IllegalArgumentException("request " + request.requestId() + " already exists");
    }
    InboxRequest stored = request.withSeq(++seq);
    requests.put(stored.requestId(), stored);
    return stored;
  }

  @Override
  public synchronized void complete(InboxRequest done) {
    requests.put(done.requestId(), done);
  }

  @Override
  public synchronized Optional<InboxRequest> get(String requestId) {
    return Optional.ofNullable(requests.get(requestId));
  }

  @Override
  public synchronized List<InboxRequest> pending() {
    List<InboxRequest> out = new ArrayList<>();
    for (InboxRequest r : requests.values()) {
      if (r.state() == InboxRequest.State.QUEUED) {
        out.add(r);
      }
    }
    out.sort(Comparator.comparingLong(InboxRequest::seq));
    return out;
  }
}
