package dev.kiln.cloud.ingest;

import dev.kiln.cloud.store.CaptureRow;
import dev.kiln.cloud.store.CaptureStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingestor's store writes, on one thread, in the order their messages arrived. Consecutive
 * capture batches waiting in the queue are committed together, in one transaction (group commit):
 * one commit, and one fsync, for up to {@link #MAX_GROUP} MQTT messages. Each message's future
 * completes only after its transaction committed, and then the transport acknowledges it; when the
 * transaction fails, every message of the group fails and none is acknowledged. Decoding happens on
 * the MQTT thread meanwhile, so parsing the next batches overlaps with writing these.
 *
 * <p>The queue is bounded: when it is full, the MQTT thread waits, and the broker holds the rest.
 */
final class IngestWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IngestWriter.class);
  static final int MAX_GROUP = 16;
  private static final int QUEUE = 64;

  /** A store write other than a capture batch (status, heartbeat), or nothing (an ack in order). */
  interface Write {
    void run() throws Exception;
  }

  /** A decoded capture batch; {@code after} runs once it committed (feedback, counters). */
  record CaptureBatch(List<CaptureRow> rows, String batchId, AfterCommit after) {}

  /** What to do after a capture batch committed, with how many of its records were new. */
  interface AfterCommit {
    void run(int inserted) throws Exception;
  }

  private record Item(CaptureBatch capture, Write other, CompletableFuture<Void> done) {}

  private final CaptureStore store;
  private final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(QUEUE);
  private final Thread thread;
  private volatile boolean closed;

  IngestWriter(CaptureStore store) {
    this.store = store;
    this.thread = new Thread(this::loop, "kiln-ingest-writer");
    thread.setDaemon(true);
    thread.start();
  }

  CompletableFuture<Void> capture(CaptureBatch b) {
    return enqueue(new Item(b, null, new CompletableFuture<>()));
  }

  CompletableFuture<Void> other(Write w) {
    return enqueue(new Item(null, w, new CompletableFuture<>()));
  }

  private CompletableFuture<Void> enqueue(Item item) {
    try {
      while (!closed) {
        if (queue.offer(item, 100, TimeUnit.MILLISECONDS)) {
          return item.done();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    item.done().completeExceptionally(new IllegalStateException("the ingestor is closing"));
    return item.done();
  }

  private void loop() {
    while (!closed) {
      Item first;
      try {
        first = queue.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        break;
      }
      if (first == null) {
        continue;
      }
      if (first.capture() == null) {
        runOther(first);
        continue;
      }
      List<Item> group = new ArrayList<>();
      group.add(first);
      while (group.size() < MAX_GROUP && queue.peek() != null && queue.peek().capture() != null) {
        group.add(queue.poll());
      }
      runGroup(group);
    }
    failPending();
  }

  private void runOther(Item item) {
    try {
      item.other().run();
      item.done().complete(null);
    } catch (Exception e) {
      item.done().completeExceptionally(e);
    }
  }

  private void runGroup(List<Item> group) {
    List<List<CaptureRow>> rows = new ArrayList<>(group.size());
    List<String> ids = new ArrayList<>(group.size());
    for (Item i : group) {
      rows.add(i.capture().rows());
      ids.add(i.capture().batchId());
    }
    int[] inserted;
    try {
      inserted = store.insertGroups(rows, ids);
    } catch (Exception e) {
      LOG.warn("storing {} capture batches failed; none is acknowledged", group.size(), e);
      group.forEach(i -> i.done().completeExceptionally(e));
      return;
    }
    for (int k = 0; k < group.size(); k++) {
      Item i = group.get(k);
      try {
        i.capture().after().run(inserted[k]);
        i.done().complete(null);
      } catch (Exception e) {
        i.done().completeExceptionally(e);
      }
    }
  }

  private void failPending() {
    Item i;
    while ((i = queue.poll()) != null) {
      i.done().completeExceptionally(new IllegalStateException("the ingestor closed"));
    }
  }

  /** Stops after the write in progress; what is still queued is not acknowledged. */
  @Override
  public void close() {
    closed = true;
    try {
      thread.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    failPending();
  }
}
