package dev.kiln.link.outbox;

import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains an {@link Outbox} through a {@link Sink} in batches: a batch goes out when it is full
 * (records or bytes) or when its first record has waited {@code linger}. At most {@code
 * maxInflight} batches await acknowledgement; acknowledgements advance the outbox offset only over
 * a contiguous prefix, so an out-of-order ack never skips an unacknowledged batch. Any failure
 * (lost connection, refused publish) rewinds to the first unacknowledged record and starts a new
 * epoch; late results from the old epoch are ignored, so records are resent, never skipped.
 */
public final class OutboxPublisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxPublisher.class);
  private static final long RETRY_PAUSE_MS = 200;
  private static final long MAX_RETRY_PAUSE_MS = 10_000;

  /** Where batches go; in production, an MQTT publish whose future completes on PUBACK. */
  public interface Sink {
    boolean ready();

    CompletableFuture<Void> send(List<Outbox.Entry> batch);
  }

  /** Batching and flow-control limits. */
  public record Limits(int maxRecords, long maxBytes, Duration linger, int maxInflight) {}

  private final Outbox outbox;
  private final Sink sink;
  private final Limits limits;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private final TreeMap<Long, Batch> inflight = new TreeMap<>();
  private final AtomicLong publishedRecords = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final Thread thread;
  private long cursor;
  private long epoch;
  private long partialSince;
  private long pauseUntil;
  private int consecutiveFailures;
  private volatile boolean closed;

  public OutboxPublisher(String name, Outbox outbox, Sink sink, Limits limits) {
    this.outbox = outbox;
    this.sink = sink;
    this.limits = limits;
    this.cursor = outbox.firstUnacked();
    outbox.onDurable(this::wake);
    this.thread = new Thread(this::run, "kiln-outbox-publisher-" + name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Nudges the loop: new records, or the sink became ready. */
  public void wake() {
    lock.lock();
    try {
      wake.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The sink is usable again (reconnected): retry now instead of after the failure pause. */
  public void resume() {
    lock.lock();
    try {
      pauseUntil = 0;
      consecutiveFailures = 0;
      wake.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Records in batches the sink acknowledged. */
  public long publishedRecords() {
    return publishedRecords.get();
  }

  public long failures() {
    return failures.get();
  }

  private void run() {
    while (!closed) {
      List<Outbox.Entry> entries;
      Batch batch;
      lock.lock();
      try {
        long now = System.nanoTime();
        if (!sink.ready() || inflight.size() >= limits.maxInflight() || now < pauseUntil) {
          wake.await(RETRY_PAUSE_MS, TimeUnit.MILLISECONDS);
          continue;
        }
        entries = outbox.read(cursor, limits.maxRecords(), limits.maxBytes());
        if (entries.isEmpty()) {
          partialSince = 0;
          wake.await(500, TimeUnit.MILLISECONDS);
          continue;
        }
        if (!full(entries)) {
          if (partialSince == 0) {
            partialSince = now;
          }
          long waitNanos = limits.linger().toNanos() - (now - partialSince);
          if (waitNanos > 0) {
            wake.awaitNanos(waitNanos);
            continue;
          }
        }
        partialSince = 0;
        batch =
            new Batch(
                entries.get(0).seq(), entries.get(entries.size() - 1).seq(), entries.size(), epoch);
        inflight.put(batch.first, batch);
        cursor = batch.last + 1;
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
      CompletableFuture<Void> f;
      try {
        f = sink.send(entries);
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
      Batch b = batch;
      f.whenComplete((v, e) -> completed(b, e));
    }
  }

  private boolean full(List<Outbox.Entry> entries) {
    if (entries.size() >= limits.maxRecords()) {
      return true;
    }
    long bytes = 0;
    for (Outbox.Entry e : entries) {
      bytes += e.payload().length + Segment.FRAME_HEADER;
    }
    return bytes >= limits.maxBytes() / 2;
  }

  private void completed(Batch b, Throwable error) {
    lock.lock();
    try {
      if (b.epoch != epoch) {
        return;
      }
      if (error != null) {
        failures.incrementAndGet();
        LOG.debug("batch {}..{} not acknowledged: {}", b.first, b.last, error.toString());
        epoch++;
        inflight.clear();
        cursor = outbox.firstUnacked();
        // Growing pause: a broker with no subscriber answers at once, every time.
        long pause =
            Math.min(MAX_RETRY_PAUSE_MS, RETRY_PAUSE_MS << Math.min(consecutiveFailures, 6));
        consecutiveFailures++;
        pauseUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pause);
        wake.signalAll();
        return;
      }
      b.done = true;
      consecutiveFailures = 0;
      long ackTo = -1;
      while (!inflight.isEmpty() && inflight.firstEntry().getValue().done) {
        Batch done = inflight.pollFirstEntry().getValue();
        ackTo = done.last;
        publishedRecords.addAndGet(done.count);
      }
      if (ackTo >= 0) {
        outbox.ackThrough(ackTo);
      }
      wake.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static final class Batch {
    final long first;
    final long last;
    final int count;
    final long epoch;
    boolean done;

    Batch(long first, long last, int count, long epoch) {
      this.first = first;
      this.last = last;
      this.count = count;
      this.epoch = epoch;
    }
  }
}
