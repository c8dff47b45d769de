package dev.kiln.cloud.service.inbox;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands queued requests to whoever runs them, one at a time in arrival order, and records each
 * outcome in the inbox. On start it first replays what an earlier run left QUEUED. A request that
 * throws is FAILED with the error; it is not retried (the error is a refusal such as an unknown
 * deployment, which a retry would not change). One that throws {@link NotRun} stays QUEUED, and the
 * worker stops: whoever runs next will run it.
 *
 * <p>On an inbox shared by service replicas, the worker also rescans the inbox for QUEUED requests
 * it has not seen (appended by a replica that had just lost the lead), so none waits for the next
 * failover.
 */
public final class InboxWorker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(InboxWorker.class);

  /**
   * Thrown by an executor that could not act on a request and knows another will (a replica's
   * console fenced by a newer leader): the request stays QUEUED and this worker stops.
   */
  public static final class NotRun extends Exception {
    public NotRun(String why) {
      super(why);
    }
  }

  /** Runs one request; must be idempotent (see {@link Inbox}). */
  @FunctionalInterface
  public interface Executor {
    void execute(InboxRequest request) throws Exception;
  }

  private final Inbox inbox;
  private final Executor executor;
  private final LinkedBlockingQueue<InboxRequest> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private final boolean paused;
  private final Runnable awaitReady;
  private final Duration rescan;
  private final Set<String> known = ConcurrentHashMap.newKeySet();
  private volatile boolean stopping;

  /**
   * @param paused accept nothing for running: queued requests stay QUEUED in the inbox until a
   *     worker that is not paused starts on it
   * @param awaitReady run once on the worker's thread before the first request (the service waits
   *     there until the console hears the fleet)
   */
  public InboxWorker(Inbox inbox, Executor executor, boolean paused, Runnable awaitReady) {
    this(inbox, executor, paused, awaitReady, null);
  }

  /**
   * @param rescan how often to look for QUEUED requests appended by another process (a shared
   *     inbox); null for never
   */
  public InboxWorker(
      Inbox inbox, Executor executor, boolean paused, Runnable awaitReady, Duration rescan) {
    this.rescan = rescan;
    this.inbox = inbox;
    this.executor = executor;
    this.paused = paused;
    this.awaitReady = awaitReady;
    this.thread = new Thread(this::loop, "kiln-inbox");
    thread.setDaemon(true);
  }

  public void start() {
    if (paused) {
      LOG.warn("the inbox is paused: requests are queued but not run");
      return;
    }
    enqueue(inbox.pending());
    thread.start();
  }

  /** Called after {@link Inbox#append} returned. */
  public void submit(InboxRequest stored) {
    if (!paused) {
      enqueue(List.of(stored));
    }
  }

  private void enqueue(List<InboxRequest> requests) {
    for (InboxRequest r : requests) {
      if (known.add(r.requestId())) {
        queue.add(r);
      }
    }
  }

  public boolean paused() {
    return paused;
  }

  private void loop() {
    awaitReady.run();
    while (!stopping) {
      InboxRequest r;
      try {
        r = rescan == null ? queue.take() : queue.poll(rescan.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (r == null) {
        try {
          enqueue(inbox.pending());
        } catch (RuntimeException e) {
          LOG.warn("cannot rescan the inbox: {}", e.getMessage());
        }
        continue;
      }
      InboxRequest done;
      try {
        executor.execute(r);
        done = r.done(InboxRequest.State.DONE, null, Instant.now());
      } catch (NotRun e) {
        LOG.warn("request {} left queued for the next worker: {}", r.requestId(), e.getMessage());
        return;
      } catch (Exception e) {
        if (stopping) {
          return;
        }
        LOG.warn(
            "request {} ({} {}) failed: {}",
            r.requestId(),
            r.kind(),
            r.deploymentId(),
            e.getMessage());
        done = r.done(InboxRequest.State.FAILED, String.valueOf(e.getMessage()), Instant.now());
      }
      try {
        inbox.complete(done);
      } catch (RuntimeException e) {
        // Replayed on the next start; the executors are idempotent.
        LOG.error("cannot record the outcome of request {}", r.requestId(), e);
      }
    }
  }

  @Override
  public void close() {
    stopping = true;
    thread.interrupt();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
