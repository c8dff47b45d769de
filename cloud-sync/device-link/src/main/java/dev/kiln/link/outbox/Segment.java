package dev.kiln.link.outbox;

import dev.kiln.files.OwnerOnly;
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
import java.util.BitSet;
import java.util.zip.CRC32;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One append-only segment file, in one of two formats:
 *
 * <ul>
 *   <li>plain: the 8-byte magic {@code KLNOBX01}, then frames of {@code [int32 length][int32
 *       crc32(payload)][payload]};
 *   <li>sealed (a capture key is configured): the magic {@code KLNOBX02}, the key id (8 bytes) and
 *       the segment's salt (16 bytes), then frames of {@code [int32
 *       length][nonce][ciphertext][tag]} made by {@link RecordCipher}; the GCM tag replaces the
 *       CRC.
 * </ul>
 *
 * Record {@code i} has sequence number {@code baseSeq + i}; positions are kept in memory so reads
 * are one positional read. Segments of both formats may sit in one outbox: plain ones written
 * before a key was configured are still read, and new records always go to a new segment of the
 * configured format. Files are created 0600.
 */
final class Segment implements AutoCloseable {
  static final byte[] MAGIC = "KLNOBX01".getBytes(StandardCharsets.US_ASCII);
  static final byte[] MAGIC_SEALED = "KLNOBX02".getBytes(StandardCharsets.US_ASCII);

  /** Bytes a plain frame adds to its payload. */
  static final int FRAME_HEADER = 8;

  private static final Logger LOG = LoggerFactory.getLogger(Segment.class);
  private static final int SEALED_HEADER =
      MAGIC_SEALED.length + RecordCipher.KEY_ID_BYTES + RecordCipher.SALT_BYTES;
  private static final int SEALED_FRAME_HEADER = 4;

  private final Path file;
  private final long baseSeq;
  private final FileChannel channel;

  /** Null for a plain segment. */
  private final RecordCipher cipher;

  private final SecretKeySpec segmentKey;
  private long[] positions = new long[64];
  private final BitSet refused = new BitSet();
  private int count;
  private long size;

  private Segment(
      Path file, long baseSeq, FileChannel channel, RecordCipher cipher, SecretKeySpec key) {
    this.file = file;
    this.baseSeq = baseSeq;
    this.channel = channel;
    this.cipher = cipher;
    this.segmentKey = key;
  }

  static String fileName(long baseSeq) {
    return String.format("%020d.seg", baseSeq);
  }

  /** Bytes a record of {@code payloadBytes} takes in a new segment sealed with {@code cipher}. */
  static int frameBytes(RecordCipher cipher, int payloadBytes) {
    return payloadBytes
        + (cipher == null ? FRAME_HEADER : SEALED_FRAME_HEADER + RecordCipher.OVERHEAD);
  }

  /** A new, empty segment; sealed when {@code cipher} is not null. */
  static Segment create(Path dir, long baseSeq, RecordCipher cipher) throws IOException {
    Path file = dir.resolve(fileName(baseSeq));
    FileChannel ch =
        OwnerOnly.open(
            file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
    byte[] salt = cipher == null ? null : cipher.newSalt();
    Segment s =
        new Segment(file, baseSeq, ch, cipher, cipher == null ? null : cipher.segmentKey(salt));
    ByteBuffer header =
        cipher == null
            ? ByteBuffer.wrap(MAGIC)
            : ByteBuffer.allocate(SEALED_HEADER)
                .put(MAGIC_SEALED)
                .put(cipher.keyId())
                .put(salt)
                .flip();
    try {
      while (header.hasRemaining()) {
        ch.write(header);
      }
    } catch (IOException e) {
      s.close();
      Files.deleteIfExists(file);
      throw e;
    }
    s.size = cipher == null ? MAGIC.length : SEALED_HEADER;
    return s;
  }

  /**
   * Opens an existing segment, indexing its frames. Frames after the last one that checks out (CRC
   * or GCM tag) are a write cut short by kill -9 or a power cut, or tampering: the file is
   * truncated there. Frames before it that do not check out stay indexed; {@link #read} refuses
   * them.
   *
   * @throws WrongKeyException when the segment is sealed and {@code cipher} is null or another key
   */
  static Segment recover(Path file, long baseSeq, RecordCipher cipher) throws IOException {
    long fileSize = Files.size(file);
    byte[] magic = new byte[MAGIC.length];
    byte[] keyId = new byte[RecordCipher.KEY_ID_BYTES];
    byte[] salt = new byte[RecordCipher.SALT_BYTES];
    boolean sealed;
    try (InputStream in = Files.newInputStream(file)) {
      if (in.readNBytes(magic, 0, magic.length) < magic.length) {
        return recreate(file, baseSeq, cipher);
      }
      sealed = Arrays.equals(magic, MAGIC_SEALED);
      if (!sealed && !Arrays.equals(magic, MAGIC)) {
        throw new IOException(file + " is not a Kiln outbox segment (bad magic)");
      }
      if (sealed
          && (in.readNBytes(keyId, 0, keyId.length) < keyId.length
              || in.readNBytes(salt, 0, salt.length) < salt.length)) {
        return recreate(file, baseSeq, cipher);
      }
    }
    if (sealed) {
      if (cipher == null) {
        throw new WrongKeyException(
            file
                + " is encrypted (key id "
                + RecordCipher.hex(keyId)
                + ") but no capture key is configured; set cloud.capture.encryptionKeyFile to"
                + " the key it was written with");
      }
      if (!Arrays.equals(keyId, cipher.keyId())) {
        throw new WrongKeyException(
            file
                + " was encrypted with another key (key id "
                + RecordCipher.hex(keyId)
                + "; the configured key's id is "
                + cipher.keyIdHex()
                + "); configure the key it was written with");
      }
    }
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    OwnerOnly.narrow(file, OwnerOnly.FILE);
    Segment s =
        sealed
            ? new Segment(file, baseSeq, ch, cipher, cipher.segmentKey(salt))
            : new Segment(file, baseSeq, ch, null, null);
    s.indexFrames(fileSize);
    return s;
  }

  private static Segment recreate(Path file, long baseSeq, RecordCipher cipher) throws IOException {
    // Cut short while its header was written: it never held a record.
    Files.delete(file);
    return create(file.getParent(), baseSeq, cipher);
  }

  private void indexFrames(long fileSize) throws IOException {
    long header = cipher == null ? MAGIC.length : SEALED_HEADER;
    int frameHeader = cipher == null ? FRAME_HEADER : SEALED_FRAME_HEADER;
    long at = header;
    long lastGoodEnd = header;
    int goodCount = 0;
    try (InputStream raw = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
      in.skipNBytes(header);
      while (at + frameHeader <= fileSize) {
        int len = in.readInt();
        int crc = cipher == null ? in.readInt() : 0;
        if (len < 0 || at + frameHeader + len > fileSize) {
          break;
        }
        byte[] body = new byte[len];
        in.readFully(body);
        index(at);
        at += frameHeader + len;
        if (checks(baseSeq + count - 1, crc, body)) {
          lastGoodEnd = at;
          goodCount = count;
        }
      }
    } catch (EOFException torn) {
      // Shorter than its header: nothing valid beyond `at`.
    }
    count = goodCount;
    if (lastGoodEnd < fileSize) {
      if (cipher != null) {
        LOG.warn(
            "outbox segment {}: {} bytes after offset {} do not authenticate (a write cut short,"
                + " or tampering); truncating them",
            file,
            fileSize - lastGoodEnd,
            lastGoodEnd);
      }
      channel.truncate(lastGoodEnd);
      channel.force(true);
    }
    size = lastGoodEnd;
  }

  private boolean checks(long seq, int crc, byte[] body) {
    if (cipher != null) {
      return cipher.open(segmentKey, seq, body) != null;
    }
    CRC32 c = new CRC32();
    c.update(body);
    return (int) c.getValue() == crc;
  }

  /**
   * Appends one record; returns the bytes it took. The caller forces the channel for durability.
   */
  int append(byte[] payload) throws IOException {
    ByteBuffer buf;
    if (cipher == null) {
      CRC32 crc = new CRC32();
      crc.update(payload);
      buf = ByteBuffer.allocate(FRAME_HEADER + payload.length);
      buf.putInt(payload.length).putInt((int) crc.getValue()).put(payload).flip();
    } else {
      byte[] body = cipher.seal(segmentKey, baseSeq + count, payload);
      buf = ByteBuffer.allocate(SEALED_FRAME_HEADER + body.length);
      buf.putInt(body.length).put(body).flip();
    }
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
    return buf.limit();
  }

  /**
   * The record with sequence {@code seq}, or null if its frame does not check out (a corrupt CRC,
   * or a GCM tag that fails: tampered, moved or corrupt).
   */
  byte[] read(long seq) throws IOException {
    long pos = position(seq);
    int frameHeader = cipher == null ? FRAME_HEADER : SEALED_FRAME_HEADER;
    ByteBuffer header = ByteBuffer.allocate(frameHeader);
    readFully(header, pos);
    header.flip();
    int len = header.getInt();
    int crc = cipher == null ? header.getInt() : 0;
    if (len < 0 || pos + frameHeader + len > size) {
      return null;
    }
    ByteBuffer body = ByteBuffer.allocate(len);
    readFully(body, pos + frameHeader);
    if (cipher != null) {
      return cipher.open(segmentKey, seq, body.array());
    }
    return checks(seq, crc, body.array()) ? body.array() : null;
  }

  /** Records that {@code seq} was refused; true the first time, so each is counted once. */
  boolean markRefused(long seq) {
    int i = (int) (seq - baseSeq);
    if (refused.get(i)) {
      return false;
    }
    refused.set(i);
    return true;
  }

  /** Byte offset of record {@code seq}'s frame in the file. */
  long position(long seq) {
    return positions[(int) (seq - baseSeq)];
  }

  boolean sealed() {
    return cipher != null;
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

  /** A sealed segment that the configured key (or the lack of one) cannot open. */
  static final class WrongKeyException extends IOException {
    WrongKeyException(String message) {
      super(message);
    }
  }
}
