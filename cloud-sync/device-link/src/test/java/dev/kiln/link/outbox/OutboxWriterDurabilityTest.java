package dev.kiln.link.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboxWriterDurabilityTest {
  @TempDir Path dir;

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** What another process opening the folder now (after a kill -9) would find. */
  private Set<String> onDisk() {
    Set<String> out = new HashSet<>();
    try (Outbox reopened = Outbox.open(OutboxConfig.defaults(dir).withMinFreeDiskBytes(0))) {
      // A fresh open sees what the file holds, not the writer's memory.
      reopened.flush();
      for (Outbox.Entry e : readAll(reopened)) {
        out.add(new String(e.payload(), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static List<Outbox.Entry> readAll(Outbox o) {
    return o.read(1, Integer.MAX_VALUE, Long.MAX_VALUE);
  }

  @Test
  void offerAndWait_returnsOnlyOnceTheRecordIsInTheFile_forConcurrentCallers() throws Exception {
    Outbox outbox = Outbox.open(OutboxConfig.defaults(dir).withMinFreeDiskBytes(0));
    OutboxWriter<String> writer =
        new OutboxWriter<>("t", outbox, 1000, OutboxWriterDurabilityTest::bytes);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    AtomicInteger confirmations = new AtomicInteger();
    AtomicInteger early = new AtomicInteger();
    try {
      List<Future<List<String>>> callers = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        int caller = t;
        callers.add(
            pool.submit(
                () -> {
                  List<String> confirmed = new ArrayList<>();
                  for (int i = 0; i < 25; i++) {
                    String r = "c" + caller + "-r" + i;
                    if (writer.offerAndWait(r, Duration.ofSeconds(10))) {
                      confirmed.add(r);
                      // Every confirmed record has its own sequence, fsynced (durableSeq) before
                      // the confirmation: there can never be more confirmations than that.
                      if (confirmations.incrementAndGet() > outbox.durableSeq()) {
                        early.incrementAndGet();
                      }
                    }
                  }
                  return confirmed;
                }));
      }
      Set<String> confirmed = new HashSet<>();
      for (Future<List<String>> f : callers) {
        confirmed.addAll(f.get());
      }
      assertThat(confirmed).hasSize(400);
      assertThat(early).as("confirmations before their fsync").hasValue(0);
      assertThat(onDisk()).containsAll(confirmed);
      assertThat(writer.notDurable()).isZero();
    } finally {
      pool.shutdownNow();
      writer.close();
      outbox.close();
    }
  }

  @Test
  void offerAndWait_isFalseAndCounted_whenTheRecordIsDropped_andNeverHangs() {
    // The disk looks full: every append is dropped and counted by the outbox.
    Outbox outbox = Outbox.open(OutboxConfig.defaults(dir).withMinFreeDiskBytes(Long.MAX_VALUE));
    OutboxWriter<String> writer =
        new OutboxWriter<>("t", outbox, 10, OutboxWriterDurabilityTest::bytes);
    try {
      assertThat(writer.offerAndWait("x", Duration.ofSeconds(10))).isFalse();
      assertThat(writer.notDurable()).isEqualTo(1);
      assertThat(outbox.stats().droppedDiskFull()).isEqualTo(1);
    } finally {
      writer.close();
      outbox.close();
    }
  }

  @Test
  void offerAndWait_onAClosedWriter_isFalseAtOnce() {
    Outbox outbox = Outbox.open(OutboxConfig.defaults(dir).withMinFreeDiskBytes(0));
    OutboxWriter<String> writer =
        new OutboxWriter<>("t", outbox, 10, OutboxWriterDurabilityTest::bytes);
    writer.close();
    assertThat(writer.offerAndWait("x", Duration.ofSeconds(10))).isFalse();
    assertThat(writer.dropped()).isEqualTo(1);
    outbox.close();
  }
}
