package dev.kiln.cloud.service.inbox;

import java.util.List;
import java.util.Optional;

/**
 * The queue between whoever asks for a deployment, cancel or rollback (the API) and the worker that
 * hands it to the fleet console, as Greengrass keeps a deployment queue: nothing asked is lost when
 * the service restarts.
 *
 * <p>Contract, for every implementation: when {@link #append} returns, the request is durable and
 * will be returned by {@link #pending} after any restart until {@link #complete} has returned for
 * it; when {@code append} throws, nothing was stored and the API answers an error. {@link
 * #complete} is durable when it returns; a crash between the console acting on a request and {@code
 * complete} returning replays the request, so every executor must be idempotent (a deploy's
 * deployment id is derived from its request id, and the console creates a deployment id once).
 * Request ids are unique: appending one that exists throws. Safe for concurrent callers.
 */
public interface Inbox extends AutoCloseable {
  /** Stores a QUEUED request, assigning its arrival order; returns it as stored. */
  InboxRequest append(InboxRequest request);

  /** Replaces a request with its outcome (DONE or FAILED). */
  void complete(InboxRequest done);

  Optional<InboxRequest> get(String requestId);

  /** Every QUEUED request, in arrival order. */
  List<InboxRequest> pending();

  @Override
  default void close() {}
}
