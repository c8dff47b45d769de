package dev.kiln.link.transport;

import dev.kiln.link.error.LinkErrorCode;
import dev.kiln.link.error.LinkException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * The bound on QoS 1 publishes awaiting PUBACK, and the set of their futures, so a dropped
 * connection can fail them all at once (their PUBACKs will never come on a new connection).
 */
final class PendingPublishes {
  private final Semaphore permits;
  private final Set<CompletableFuture<Void>> pending = ConcurrentHashMap.newKeySet();

  PendingPublishes(int max) {
    this.permits = new Semaphore(max);
  }

  /** False when the bound is reached; otherwise tracks {@code f} until it completes. */
  boolean track(CompletableFuture<Void> f) {
    if (!permits.tryAcquire()) {
      return false;
    }
    pending.add(f);
    f.whenComplete(
        (v, e) -> {
          if (pending.remove(f)) {
            permits.release();
          }
        });
    return true;
  }

  void failAll(String cause) {
    for (CompletableFuture<Void> f : pending) {
      f.completeExceptionally(
          new LinkException(LinkErrorCode.NOT_CONNECTED, "connection lost: " + cause));
    }
  }
}
