package dev.kiln.link.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboxTest {
  @TempDir Path dir;

  private OutboxConfig config() {
    return OutboxConfig.defaults(dir).withMinFreeDiskBytes(0);
  }

  private static byte[] rec(int i) {
    return ("record-" + i).getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> texts(List<Outbox.Entry> entries) {
    return entries.stream().map(e -> new String(e.payload(), StandardCharsets.UTF_8)).toList();
  }

  @Test
  void read_returnsRecordsInOrder_onlyOnceFlushed() {
    try (Outbox o = Outbox.open(config())) {
      assertThat(o.append(rec(1))).isEqualTo(1);
      assertThat(o.append(rec(2))).isEqualTo(2);
      assertThat(o.read(1, 10, 1 << 20)).isEmpty();
      o.flush();
      assertThat(texts(o.read(1, 10, 1 << 20))).containsExactly("record-1", "record-2");
      assertThat(o.read(2, 10, 1 << 20)).extracting(Outbox.Entry::seq).containsExactly(2L);
    }
  }

  @Test
  void ack_survivesRestart_andOnlyUnackedRecordsReturn() {
    try (Outbox o = Outbox.open(config())) {
      for (int i = 1; i <= 10; i++) {
        o.append(rec(i));
      }
      o.flush();
      o.ackThrough(4);
    }
    try (Outbox o = Outbox.open(config())) {
      assertThat(o.firstUnacked()).isEqualTo(5);
      assertThat(texts(o.read(o.firstUnacked(), 100, 1 << 20)))
          .containsExactly("record-5", "record-6", "record-7", "record-8", "record-9", "record-10");
      assertThat(o.stats().pendingRecords()).isEqualTo(6);
      assertThat(o.append(rec(11))).isEqualTo(11);
    }
  }

  @Test
  void recover_truncatesTornTail_andKeepsEarlierRecords() throws IOException {
    try (Outbox o = Outbox.open(config())) {
      for (int i = 1; i <= 5; i++) {
        o.append(rec(i));
      }
      o.flush();
    }
    Path seg = onlySegment();
    long goodSize = Files.size(seg);
    // A kill -9 mid-write: a header promising 100 bytes, followed by only 10.
    try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.APPEND)) {
      ch.write(ByteBuffer.allocate(18).putInt(100).putInt(12345).put(new byte[10]).flip());
    }
    try (Outbox o = Outbox.open(config())) {
      assertThat(Files.size(seg)).isEqualTo(goodSize);
      assertThat(o.append(rec(6))).isEqualTo(6);
      o.flush();
      assertThat(texts(o.read(1, 100, 1 << 20)))
          .containsExactly("record-1", "record-2", "record-3", "record-4", "record-5", "record-6");
    }
  }

  @Test
  void recover_dropsRecordWithBadCrc_andEverythingAfterIt() throws IOException {
    try (Outbox o = Outbox.open(config())) {
      for (int i = 1; i <= 3; i++) {
        o.append(rec(i));
      }
      o.flush();
    }
    Path seg = onlySegment();
    try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
      // Flip the last payload byte of record 3.
      ch.write(ByteBuffer.wrap(new byte[] {'X'}), Files.size(seg) - 1);
    }
    try (Outbox o = Outbox.open(config())) {
      assertThat(texts(o.read(1, 100, 1 << 20))).containsExactly("record-1", "record-2");
    }
  }

  @Test
  void badCrcInTheMiddle_refusesThatRecordOnly_andCountsIt() throws IOException {
    try (Outbox o = Outbox.open(config())) {
      for (int i = 1; i <= 3; i++) {
        o.append(rec(i));
      }
      o.flush();
    }
    Path seg = onlySegment();
    try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
      // Magic (8), record 1's frame (8 + 8 bytes), record 2's header (8): its first payload byte.
      ch.write(ByteBuffer.wrap(new byte[] {'X'}), 8 + 16 + 8);
    }
    try (Outbox o = Outbox.open(config())) {
      assertThat(texts(o.read(1, 100, 1 << 20))).containsExactly("record-1", "record-3");
      assertThat(o.stats().refusedRecords()).isEqualTo(1);
    }
  }

  @Test
  void sizeBound_dropsOldestSegment_andCountsUnsentRecords() {
    OutboxConfig small = config().withMaxBytes(8 * 1024, 2 * 1024);
    byte[] payload = new byte[100];
    int n = 400;
    try (Outbox o = Outbox.open(small)) {
      for (int i = 0; i < n; i++) {
        assertThat(o.append(payload)).isPositive();
      }
      o.flush();
      OutboxStats s = o.stats();
      assertThat(s.bytes()).isLessThanOrEqualTo(8 * 1024);
      assertThat(s.droppedOldest()).isPositive();
      assertThat(s.droppedOldest() + s.pendingRecords()).isEqualTo(n);
      List<Outbox.Entry> left = o.read(1, n, Long.MAX_VALUE);
      assertThat(left).hasSize((int) s.pendingRecords());
      assertThat(left.get(0).seq()).isEqualTo(s.droppedOldest() + 1);
      assertThat(left.get(left.size() - 1).seq()).isEqualTo(n);
    }
    try (Outbox o = Outbox.open(small)) {
      assertThat(o.stats().droppedOldest()).isPositive();
    }
  }

  @Test
  void fullDisk_dropsNewRecords_countsThem_andNeverThrows() {
    try (Outbox o = Outbox.open(config().withMinFreeDiskBytes(Long.MAX_VALUE))) {
      for (int i = 0; i < 5; i++) {
        assertThat(o.append(rec(i))).isEqualTo(-1);
      }
      o.flush();
      assertThat(o.stats().droppedDiskFull()).isEqualTo(5);
      assertThat(o.stats().pendingRecords()).isZero();
      assertThat(o.read(1, 10, 1 << 20)).isEmpty();
    }
  }

  @Test
  void recordLargerThanSegment_isDroppedAndCounted() {
    try (Outbox o = Outbox.open(config().withMaxBytes(8 * 1024, 2 * 1024))) {
      assertThat(o.append(new byte[4096])).isEqualTo(-1);
      assertThat(o.stats().droppedOversize()).isEqualTo(1);
      assertThat(o.append(rec(1))).isEqualTo(1);
    }
  }

  @Test
  void ack_deletesSpentSegmentFiles() throws IOException {
    OutboxConfig small = config().withMaxBytes(64 * 1024, 1024);
    try (Outbox o = Outbox.open(small)) {
      for (int i = 0; i < 100; i++) {
        o.append(new byte[100]);
      }
      o.flush();
      assertThat(segments()).hasSizeGreaterThan(5);
      o.ackThrough(100);
      assertThat(segments()).hasSize(1);
      assertThat(o.stats().pendingRecords()).isZero();
    }
  }

  @Test
  void restart_afterAckBeyondLostTail_neverReusesAcknowledgedSequences() throws IOException {
    try (Outbox o = Outbox.open(config())) {
      for (int i = 1; i <= 5; i++) {
        o.append(rec(i));
      }
      o.flush();
      o.ackThrough(5);
    }
    try (Outbox o = Outbox.open(config())) {
      long seq = o.append(rec(6));
      assertThat(seq).isEqualTo(6);
      o.flush();
      assertThat(texts(o.read(o.firstUnacked(), 10, 1 << 20))).containsExactly("record-6");
    }
  }

  private Path onlySegment() throws IOException {
    List<Path> s = segments();
    assertThat(s).hasSize(1);
    return s.get(0);
  }

  private List<Path> segments() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
    }
  }
}
