package dev.kiln.link.outbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves items from callers that must never wait (the inference path) into the {@link Outbox}: a
 * bounded in-memory queue, and one background thread that encodes, appends and flushes in groups
 * (one fsync per group, so the flush rate adapts to the disk). When the queue is full, {@link
 * #offer} drops the item and counts it: memory stays bounded and the caller never blocks.
 *
 * <p>{@link #offerAndWait} is the same path for a caller that must not go on before its item is on
 * disk: it returns once the group holding the item has been appended and fsynced, so callers that
 * arrive together share one fsync (group commit).
 */
public final class OutboxWriter<T> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxWriter.class);
  private static final int GROUP = 1024;

  private final Outbox outbox;
  private final Function<T, byte[]> encoder;
  private final BlockingQueue<Pending<T>> queue;
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong encodeFailures = new AtomicLong();
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong notDurable = new AtomicLong();
  private final Thread thread;
  private volatile boolean closed;

  public OutboxWriter(String name, Outbox outbox, int capacity, Function<T, byte[]> encoder) {
    this.outbox = outbox;
    this.encoder = encoder;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.thread = new Thread(this::run, "kiln-outbox-writer-" + name);
    thread.setDaemon(true);
    thread.start();
  }

  /** An item, and for {@link #offerAndWait} the future its group's fsync completes. */
  private record Pending<T>(T item, CompletableFuture<Boolean> durable) {}

  /** Never blocks: false (and counted) when the queue is full or the writer is closed. */
  public boolean offer(T item) {
    return enqueue(new Pending<>(item, null));
  }

  /**
   * Queues {@code item} and waits (at most {@code timeout}) until it is appended and fsynced. True
   * when it is on disk; false when it was dropped (queue full, disk full, too large, encoding
   * failed) or not confirmed in time, counted in {@link #dropped()} or {@link #notDurable()}.
   */
  public boolean offerAndWait(T item, Duration timeout) {
    CompletableFuture<Boolean> durable = new CompletableFuture<>();
    if (!enqueue(new Pending<>(item, durable))) {
      return false;
    }
    try {
      if (durable.get(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        return true;
      }
    } catch (TimeoutException | ExecutionException e) {
      // counted below
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    notDurable.incrementAndGet();
    return false;
  }

  /**
   * {@link #offerAndWait} for several items that share the wait (and, arriving together, the
   * fsync); returns how many are on disk. The ones that are not were dropped or not confirmed in
   * time and are counted like {@link #offerAndWait}'s.
   */
  public int offerAllAndWait(List<? extends T> items, Duration timeout) {
    List<CompletableFuture<Boolean>> waits = new ArrayList<>(items.size());
    for (T item : items) {
      CompletableFuture<Boolean> durable = new CompletableFuture<>();
      if (enqueue(new Pending<>(item, durable))) {
        waits.add(durable);
      }
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    int stored = 0;
    for (CompletableFuture<Boolean> durable : waits) {
      try {
        if (durable.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          stored++;
          continue;
        }
      } catch (TimeoutException | ExecutionException e) {
        // counted below
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      notDurable.incrementAndGet();
    }
    return stored;
  }

  private boolean enqueue(Pending<T> p) {
    if (closed || !queue.offer(p)) {
      dropped.incrementAndGet();
      return false;
    }
    return true;
  }

  /** {@link #offerAndWait} calls that returned without their item on disk. */
  public long notDurable() {
    return notDurable.get();
  }

  public long dropped() {
    return dropped.get();
  }

  public long encodeFailures() {
    return encodeFailures.get();
  }

  public int queued() {
    return queue.size();
  }

  /** Items taken from the queue and handed to the outbox (stored or counted as dropped there). */
  public long written() {
    return written.get();
  }

  private void run() {
    List<Pending<T>> group = new ArrayList<>(GROUP);
    long[] seqs = new long[GROUP];
    while (!closed || !queue.isEmpty()) {
      try {
        Pending<T> first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        group.add(first);
        queue.drainTo(group, GROUP - 1);
        for (int i = 0; i < group.size(); i++) {
          T item = group.get(i).item();
          seqs[i] = -1;
          byte[] bytes;
          try {
            bytes = encoder.apply(item);
          } catch (RuntimeException e) {
            encodeFailures.incrementAndGet();
            LOG.warn(
                "cannot encode {}; skipping it: {}", item.getClass().getSimpleName(), e.toString());
            continue;
          }
          seqs[i] = outbox.append(bytes);
        }
        outbox.flush();
        long durableSeq = outbox.durableSeq();
        for (int i = 0; i < group.size(); i++) {
          CompletableFuture<Boolean> f = group.get(i).durable();
          if (f != null) {
            f.complete(seqs[i] >= 0 && seqs[i] <= durableSeq);
          }
        }
        written.addAndGet(group.size());
        group.clear();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failAll(group);
        return;
      } catch (RuntimeException e) {
        LOG.error("outbox writer failed on a group; continuing", e);
        failAll(group);
        group.clear();
      }
    }
    failAll(new ArrayList<>(queue));
  }

  /** Callers waiting on these items go on, told their items are not on disk. */
  private static <T> void failAll(List<Pending<T>> items) {
    for (Pending<T> p : items) {
      if (p.durable() != null) {
        p.durable().complete(false);
      }
    }
  }

  /** Drains what is queued to disk (up to {@code timeout}), then stops the thread. */
  public void close(Duration timeout) {
    closed = true;
    try {
      thread.join(timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      thread.interrupt();
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }
}
