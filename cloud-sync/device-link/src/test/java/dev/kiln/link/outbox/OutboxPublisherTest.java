package dev.kiln.link.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboxPublisherTest {
  @TempDir Path dir;

  /** A sink that records batches and lets the test decide when each is acknowledged. */
  static final class ManualSink implements OutboxPublisher.Sink {
    final List<List<Long>> sent = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<Void>> futures = new CopyOnWriteArrayList<>();
    volatile boolean ready = true;

    @Override
    public boolean ready() {
      return ready;
    }

    @Override
    public CompletableFuture<Void> send(List<Outbox.Entry> batch) {
      sent.add(batch.stream().map(Outbox.Entry::seq).toList());
      CompletableFuture<Void> f = new CompletableFuture<>();
      futures.add(f);
      return f;
    }
  }

  private Outbox outboxWith(int records) {
    Outbox o = Outbox.open(OutboxConfig.defaults(dir).withMinFreeDiskBytes(0));
    for (int i = 0; i < records; i++) {
      o.append(new byte[] {(byte) i});
    }
    o.flush();
    return o;
  }

  @Test
  void fullBatches_goOutAtOnce_andInflightIsBounded() {
    ManualSink sink = new ManualSink();
    try (Outbox o = outboxWith(50);
        OutboxPublisher p =
            new OutboxPublisher(
                "t", o, sink, new OutboxPublisher.Limits(10, 1 << 20, Duration.ofHours(1), 2))) {
      await().until(() -> sink.sent.size() == 2);
      assertThat(sink.sent.get(0)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
      sink.futures.get(0).complete(null);
      await().until(() -> sink.sent.size() == 3);
      assertThat(o.firstUnacked()).isEqualTo(11);
      assertThat(p.publishedRecords()).isEqualTo(10);
    }
  }

  @Test
  void ackOutOfOrder_advancesOffsetOnlyOverContiguousPrefix() {
    ManualSink sink = new ManualSink();
    try (Outbox o = outboxWith(20);
        OutboxPublisher p =
            new OutboxPublisher(
                "t", o, sink, new OutboxPublisher.Limits(10, 1 << 20, Duration.ZERO, 2))) {
      await().until(() -> sink.sent.size() == 2);
      sink.futures.get(1).complete(null);
      await().during(Duration.ofMillis(200)).until(() -> o.firstUnacked() == 1);
      sink.futures.get(0).complete(null);
      await().until(() -> o.firstUnacked() == 21);
      assertThat(p.publishedRecords()).isEqualTo(20);
    }
  }

  @Test
  void partialBatch_waitsForLinger_thenGoes() {
    ManualSink sink = new ManualSink();
    try (Outbox o = outboxWith(3);
        OutboxPublisher p =
            new OutboxPublisher(
                "t",
                o,
                sink,
                new OutboxPublisher.Limits(100, 1 << 20, Duration.ofMillis(300), 2))) {
      await().atMost(Duration.ofSeconds(5)).until(() -> sink.sent.size() == 1);
      assertThat(sink.sent.get(0)).containsExactly(1L, 2L, 3L);
    }
  }

  @Test
  void failure_rewindsToFirstUnacked_andResendsEverything() {
    ManualSink sink = new ManualSink();
    try (Outbox o = outboxWith(20);
        OutboxPublisher p =
            new OutboxPublisher(
                "t", o, sink, new OutboxPublisher.Limits(10, 1 << 20, Duration.ZERO, 2))) {
      await().until(() -> sink.sent.size() == 2);
      sink.futures.get(0).completeExceptionally(new RuntimeException("link down"));
      await().until(() -> sink.sent.size() >= 3);
      assertThat(sink.sent.get(2)).startsWith(1L);
      // A late success from the abandoned epoch must not move the offset.
      sink.futures.get(1).complete(null);
      assertThat(o.firstUnacked()).isEqualTo(1);
      await()
          .until(
              () -> {
                sink.futures.forEach(f -> f.complete(null));
                return o.firstUnacked() == 21;
              });
      assertThat(sink.sent.stream().flatMap(List::stream).distinct()).hasSize(20);
    }
  }

  @Test
  void notReady_sendsNothing_untilReady() {
    ManualSink sink = new ManualSink();
    sink.ready = false;
    try (Outbox o = outboxWith(5);
        OutboxPublisher p =
            new OutboxPublisher(
                "t", o, sink, new OutboxPublisher.Limits(10, 1 << 20, Duration.ZERO, 2))) {
      await().during(Duration.ofMillis(300)).until(() -> sink.sent.isEmpty());
      sink.ready = true;
      p.wake();
      await().until(() -> sink.sent.size() == 1);
    }
  }
}
