package dev.kiln.link.outbox;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * One append-only segment file: an 8-byte magic, then frames of {@code [int32 length][int32
 * crc32(payload)][payload]}. Record {@code i} has sequence number {@code baseSeq + i}; positions
 * are kept in memory so reads are one positional read.
 */
final class Segment implements AutoCloseable {
  static final byte[] MAGIC = "KLNOBX01".getBytes(StandardCharsets.US_ASCII);
  static final int FRAME_HEADER = 8;

  private final Path file;
  private final long baseSeq;
  private final FileChannel channel;
  private long[] positions = new long[64];
  private int count;
  private long size;

  private Segment(Path file, long baseSeq, FileChannel channel) {
    this.file = file;
    this.baseSeq = baseSeq;
    this.channel = channel;
  }

  static String fileName(long baseSeq) {
    return String.format("%020d.seg", baseSeq);
  }

  static Segment create(Path dir, long baseSeq) throws IOException {
    Path file = dir.resolve(fileName(baseSeq));
    FileChannel ch =
        FileChannel.open(
            file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
    Segment s = new Segment(file, baseSeq, ch);
    try {
      ch.write(ByteBuffer.wrap(MAGIC));
    } catch (IOException e) {
      s.close();
      Files.deleteIfExists(file);
      throw e;
    }
    s.size = MAGIC.length;
    return s;
  }

  /**
   * Opens an existing segment, indexing its frames. A torn or corrupt frame (kill -9 mid-write, a
   * power cut) ends the valid prefix: the file is truncated there and the count says how many
   * records survived.
   */
  static Segment recover(Path file, long baseSeq) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    Segment s = new Segment(file, baseSeq, ch);
    long fileSize = ch.size();
    long valid = 0;
    try (InputStream raw = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
      byte[] magic = new byte[MAGIC.length];
      in.readFully(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new IOException(file + " is not a Kiln outbox segment (bad magic)");
      }
      valid = MAGIC.length;
      CRC32 crc = new CRC32();
      while (valid + FRAME_HEADER <= fileSize) {
        int len = in.readInt();
        int expected = in.readInt();
        if (len < 0 || valid + FRAME_HEADER + len > fileSize) {
          break;
        }
        byte[] payload = new byte[len];
        in.readFully(payload);
        crc.reset();
        crc.update(payload);
        if ((int) crc.getValue() != expected) {
          break;
        }
        s.index(valid);
        valid += FRAME_HEADER + len;
      }
    } catch (EOFException torn) {
      // Shorter than its header: nothing valid beyond `valid`.
    }
    if (valid < fileSize) {
      ch.truncate(valid);
      ch.force(true);
    }
    s.size = valid;
    return s;
  }

  /** Appends one record; the caller forces the channel when it wants durability. */
  void append(byte[] payload) throws IOException {
    CRC32 crc = new CRC32();
    crc.update(payload);
    ByteBuffer buf = ByteBuffer.allocate(FRAME_HEADER + payload.length);
    buf.putInt(payload.length).putInt((int) crc.getValue()).put(payload).flip();
    long at = size;
    try {
      while (buf.hasRemaining()) {
        channel.write(buf, at + buf.position());
      }
    } catch (IOException e) {
      // Leave no half frame behind for the next append to sit after.
      try {
        channel.truncate(at);
      } catch (IOException ignored) {
        // Recovery truncates a torn tail on the next open anyway.
      }
      throw e;
    }
    index(at);
    size = at + buf.limit();
  }

  /** The record with sequence {@code seq}, or null if its frame no longer checks out. */
  byte[] read(long seq) throws IOException {
    long pos = positions[(int) (seq - baseSeq)];
    ByteBuffer header = ByteBuffer.allocate(FRAME_HEADER);
    readFully(header, pos);
    header.flip();
    int len = header.getInt();
    int expected = header.getInt();
    ByteBuffer payload = ByteBuffer.allocate(len);
    readFully(payload, pos + FRAME_HEADER);
    CRC32 crc = new CRC32();
    crc.update(payload.array());
    return (int) crc.getValue() == expected ? payload.array() : null;
  }

  int frameBytes(long seq) {
    int i = (int) (seq - baseSeq);
    long end = i + 1 < count ? positions[i + 1] : size;
    return (int) (end - positions[i]);
  }

  void force() throws IOException {
    channel.force(false);
  }

  long baseSeq() {
    return baseSeq;
  }

  /** Sequence of the last record, or baseSeq - 1 when empty. */
  long lastSeq() {
    return baseSeq + count - 1;
  }

  int count() {
    return count;
  }

  long size() {
    return size;
  }

  Path file() {
    return file;
  }

  void delete() throws IOException {
    close();
    Files.deleteIfExists(file);
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  private void index(long position) {
    if (count == positions.length) {
      positions = Arrays.copyOf(positions, count * 2);
    }
    positions[count++] = position;
  }

  private void readFully(ByteBuffer buf, long position) throws IOException {
    while (buf.hasRemaining()) {
      if (channel.read(buf, position + buf.position()) < 0) {
        throw new EOFException("segment " + file + " ends inside a record");
      }
    }
  }
}
