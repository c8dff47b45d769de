package dev.kiln.link.outbox;

import dev.kiln.files.OwnerOnly;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Properties;

/**
 * The outbox's small persistent state: the highest sequence the broker acknowledged (everything at
 * or below it is sent) and the drop counters. Written as temp file, fsync, atomic rename, directory
 * fsync, so a crash leaves either the old or the new state, never a torn one.
 */
record OutboxState(long ackedSeq, long droppedOldest, long droppedDiskFull, long droppedOversize) {
  static final String FILE = "state.properties";

  OutboxState ackedThrough(long seq) {
    return new OutboxState(seq, droppedOldest, droppedDiskFull, droppedOversize);
  }

  OutboxState plusDroppedOldest(long n) {
    return new OutboxState(ackedSeq, droppedOldest + n, droppedDiskFull, droppedOversize);
  }

  OutboxState plusDroppedDiskFull() {
    return new OutboxState(ackedSeq, droppedOldest, droppedDiskFull + 1, droppedOversize);
  }

  OutboxState plusDroppedOversize() {
    return new OutboxState(ackedSeq, droppedOldest, droppedDiskFull, droppedOversize + 1);
  }

  static OutboxState load(Path dir) throws IOException {
    Path f = dir.resolve(FILE);
    if (!Files.exists(f)) {
      return new OutboxState(0, 0, 0, 0);
    }
    Properties p = new Properties();
    try (var in = Files.newInputStream(f)) {
      p.load(in);
    }
    return new OutboxState(
        Long.parseLong(p.getProperty("acked", "0")),
        Long.parseLong(p.getProperty("droppedOldest", "0")),
        Long.parseLong(p.getProperty("droppedDiskFull", "0")),
        Long.parseLong(p.getProperty("droppedOversize", "0")));
  }

  void save(Path dir) throws IOException {
    String text =
        "acked="
            + ackedSeq
            + "\ndroppedOldest="
            + droppedOldest
            + "\ndroppedDiskFull="
            + droppedDiskFull
            + "\ndroppedOversize="
            + droppedOversize
            + "\n";
    Path tmp = dir.resolve(FILE + ".tmp");
    try (FileChannel ch =
        OwnerOnly.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
    forceDirectory(dir);
  }

  /** Makes a rename or a new file's directory entry durable (Linux honours fsync on a dir). */
  static void forceDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some file systems refuse to open directories; the rename is still atomic there.
    }
  }
}
