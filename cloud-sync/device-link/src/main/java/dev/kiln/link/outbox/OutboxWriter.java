package dev.kiln.link.outbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves items from callers that must never wait (the inference path) into the {@link Outbox}: a
 * bounded in-memory queue, and one background thread that encodes, appends and flushes in groups
 * (one fsync per group, so the flush rate adapts to the disk). When the queue is full, {@link
 * #offer} drops the item and counts it: memory stays bounded and the caller never blocks.
 */
public final class OutboxWriter<T> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxWriter.class);
  private static final int GROUP = 1024;

  private final Outbox outbox;
  private final Function<T, byte[]> encoder;
  private final BlockingQueue<T> queue;
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong encodeFailures = new AtomicLong();
  private final AtomicLong written = new AtomicLong();
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

  /** Never blocks: false (and counted) when the queue is full or the writer is closed. */
  public boolean offer(T item) {
    if (closed || !queue.offer(item)) {
      dropped.incrementAndGet();
      return false;
    }
    return true;
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
    List<T> group = new ArrayList<>(GROUP);
    while (!closed || !queue.isEmpty()) {
      try {
        T first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        group.add(first);
        queue.drainTo(group, GROUP - 1);
        for (T item : group) {
          byte[] bytes;
          try {
            bytes = encoder.apply(item);
          } catch (RuntimeException e) {
            encodeFailures.incrementAndGet();
            LOG.warn(
                "cannot encode {}; skipping it: {}", item.getClass().getSimpleName(), e.toString());
            continue;
          }
          outbox.append(bytes);
        }
        outbox.flush();
        written.addAndGet(group.size());
        group.clear();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        LOG.error("outbox writer failed on a group; continuing", e);
        group.clear();
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
