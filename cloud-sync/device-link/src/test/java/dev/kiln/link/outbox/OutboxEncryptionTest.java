package dev.kiln.link.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.link.error.LinkErrorCode;
import dev.kiln.link.error.LinkException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OutboxEncryptionTest {
  private static final String MARKER = "PLAINTEXT-MARKER-7f3a";

  @TempDir Path dir;
  private final byte[] key = randomKey();

  private static byte[] randomKey() {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    return k;
  }

  private OutboxConfig config(byte[] k) {
    return OutboxConfig.defaults(dir).withMinFreeDiskBytes(0).withEncryptionKey(k);
  }

  private static byte[] rec(int i) {
    return (MARKER + "-record-" + i).getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> texts(List<Outbox.Entry> entries) {
    return entries.stream().map(e -> new String(e.payload(), StandardCharsets.UTF_8)).toList();
  }

  private void write(byte[] k, int from, int to) {
    try (Outbox o = Outbox.open(config(k))) {
      for (int i = from; i <= to; i++) {
        o.append(rec(i));
      }
      o.flush();
    }
  }

  @Test
  void withKey_noFileHoldsThePlaintext_andRecordsReadBack() throws IOException {
    write(key, 1, 50);
    for (Path f : files()) {
      assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1))
          .as("file %s", f)
          .doesNotContain(MARKER)
          .doesNotContain("record-");
    }
    try (Outbox o = Outbox.open(config(key))) {
      assertThat(texts(o.read(1, 100, 1 << 20))).hasSize(50).startsWith(MARKER + "-record-1");
    }
  }

  @Test
  void tamperedByte_refusesThatRecordOnly_countsItOnce_andDeliversTheOthers() throws IOException {
    write(key, 1, 5);
    long third = framePositions(onlySegment()).get(2);
    flipByte(onlySegment(), third + 4 + 20);
    try (Outbox o = Outbox.open(config(key))) {
      List<Outbox.Entry> read = o.read(1, 100, 1 << 20);
      assertThat(read).extracting(Outbox.Entry::seq).containsExactly(1L, 2L, 4L, 5L);
      assertThat(o.read(1, 100, 1 << 20)).hasSize(4);
      assertThat(o.stats().refusedRecords()).isEqualTo(1);
    }
  }

  @Test
  void byteTamperedWhileOpen_isRefusedOnRead() throws IOException {
    try (Outbox o = Outbox.open(config(key))) {
      for (int i = 1; i <= 3; i++) {
        o.append(rec(i));
      }
      o.flush();
      flipByte(onlySegment(), framePositions(onlySegment()).get(1) + 4 + 30);
      assertThat(o.read(1, 100, 1 << 20)).extracting(Outbox.Entry::seq).containsExactly(1L, 3L);
      assertThat(o.stats().refusedRecords()).isEqualTo(1);
    }
  }

  @Test
  void swappedRecords_failAuthentication() throws IOException {
    write(key, 1, 4);
    Path seg = onlySegment();
    List<Long> pos = framePositions(seg);
    byte[] all = Files.readAllBytes(seg);
    int a = pos.get(1).intValue();
    int b = pos.get(2).intValue();
    int len = b - a;
    assertThat(pos.get(3) - b).isEqualTo(len);
    byte[] swapped = all.clone();
    System.arraycopy(all, b, swapped, a, len);
    System.arraycopy(all, a, swapped, b, len);
    Files.write(seg, swapped);
    try (Outbox o = Outbox.open(config(key))) {
      assertThat(o.read(1, 100, 1 << 20)).extracting(Outbox.Entry::seq).containsExactly(1L, 4L);
      assertThat(o.stats().refusedRecords()).isEqualTo(2);
    }
  }

  @Test
  void wrongKey_isRefusedClearly_namingTheFileAndBothKeyIds() {
    write(key, 1, 3);
    assertThatThrownBy(() -> Outbox.open(config(randomKey())))
        .isInstanceOf(LinkException.class)
        .hasMessageContaining("was encrypted with another key")
        .hasMessageContaining(".seg")
        .satisfies(
            e -> assertThat(((LinkException) e).code()).isEqualTo(LinkErrorCode.CONFIG_INVALID));
  }

  @Test
  void sealedSegments_withoutAKey_areRefusedClearly() {
    write(key, 1, 3);
    assertThatThrownBy(() -> Outbox.open(config(null)))
        .isInstanceOf(LinkException.class)
        .hasMessageContaining("no capture key is configured")
        .hasMessageContaining("cloud.capture.encryptionKeyFile");
  }

  @Test
  void keyAddedToARunningDevice_plainRecordsStillRead_newOnesSealed() throws IOException {
    write(null, 1, 3);
    write(key, 4, 6);
    List<Path> segs = segments();
    assertThat(segs).hasSize(2);
    assertThat(magic(segs.get(0))).isEqualTo("KLNOBX01");
    assertThat(magic(segs.get(1))).isEqualTo("KLNOBX02");
    assertThat(new String(Files.readAllBytes(segs.get(1)), StandardCharsets.ISO_8859_1))
        .doesNotContain(MARKER);
    try (Outbox o = Outbox.open(config(key))) {
      assertThat(o.read(1, 100, 1 << 20))
          .extracting(Outbox.Entry::seq)
          .containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
      assertThat(o.stats().refusedRecords()).isZero();
    }
  }

  @Test
  void restartWithTheKey_readsEveryUnackedRecordExactlyOnce() {
    try (Outbox o = Outbox.open(config(key))) {
      for (int i = 1; i <= 10; i++) {
        o.append(rec(i));
      }
      o.flush();
      o.ackThrough(4);
    }
    try (Outbox o = Outbox.open(config(key))) {
      assertThat(o.firstUnacked()).isEqualTo(5);
      assertThat(texts(o.read(o.firstUnacked(), 100, 1 << 20)))
          .containsExactly(
              MARKER + "-record-5",
              MARKER + "-record-6",
              MARKER + "-record-7",
              MARKER + "-record-8",
              MARKER + "-record-9",
              MARKER + "-record-10");
      assertThat(o.append(rec(11))).isEqualTo(11);
    }
  }

  @Test
  void tornSealedTail_isTruncated_andEarlierRecordsKept() throws IOException {
    write(key, 1, 3);
    Path seg = onlySegment();
    long good = Files.size(seg);
    try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.APPEND)) {
      ch.write(ByteBuffer.allocate(40).putInt(100).put(new byte[36]).flip());
    }
    try (Outbox o = Outbox.open(config(key))) {
      assertThat(Files.size(seg)).isEqualTo(good);
      assertThat(o.read(1, 100, 1 << 20)).hasSize(3);
      assertThat(o.stats().refusedRecords()).isZero();
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void filesAre0600_andTheFolder0700_withOrWithoutAKey(boolean encrypted) throws IOException {
    Path outbox = dir.resolve("capture");
    OutboxConfig c =
        OutboxConfig.defaults(outbox)
            .withMinFreeDiskBytes(0)
            .withMaxBytes(4096, 1024)
            .withEncryptionKey(encrypted ? key : null);
    try (Outbox o = Outbox.open(c)) {
      for (int i = 1; i <= 40; i++) {
        o.append(rec(i));
      }
      o.flush();
      o.ackThrough(2);
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(outbox)))
        .isEqualTo("rwx------");
    List<Path> all;
    try (Stream<Path> s = Files.list(outbox)) {
      all = s.toList();
    }
    assertThat(all).anyMatch(p -> p.toString().endsWith(".seg"));
    assertThat(all).anyMatch(p -> p.toString().endsWith(OutboxState.FILE));
    for (Path f : all) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
          .as("mode of %s", f)
          .isEqualTo("rw-------");
    }
  }

  @Test
  void olderFilesOpenToOthers_areNarrowedOnOpen() throws IOException {
    write(null, 1, 2);
    Path seg = onlySegment();
    Files.setPosixFilePermissions(seg, PosixFilePermissions.fromString("rw-r--r--"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Outbox.open(config(null)).close();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(seg)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
        .isEqualTo("rwx------");
  }

  /** Frame start offsets of a sealed segment: a 32-byte header, then [int32 len][body] frames. */
  private static List<Long> framePositions(Path seg) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(seg));
    List<Long> out = new ArrayList<>();
    int at = 32;
    while (at + 4 <= b.limit()) {
      out.add((long) at);
      at += 4 + b.getInt(at);
    }
    return out;
  }

  private static void flipByte(Path file, long at) throws IOException {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      ch.read(one, at);
      one.put(0, (byte) (one.get(0) ^ 0x01)).rewind();
      ch.write(one, at);
    }
  }

  private static String magic(Path seg) throws IOException {
    byte[] b = Files.readAllBytes(seg);
    return new String(b, 0, 8, StandardCharsets.US_ASCII);
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

  private List<Path> files() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }
}
