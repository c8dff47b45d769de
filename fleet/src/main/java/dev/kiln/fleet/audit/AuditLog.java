package dev.kiln.fleet.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.artifact.Sha256;
import dev.kiln.files.OwnerOnly;
import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import dev.kiln.json.JsonMappers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's append-only audit log, {@code STATE-DIR/audit.jsonl}: one JSON record a line, each
 * carrying the SHA-256 of the line before it ({@code prev}; the first carries 64 zeros), so
 * editing, deleting or inserting a line breaks the chain at the next line ({@link
 * AuditTrail#verify}).
 *
 * <p>Contract: when {@link #append} returns, its records are on disk (one fsync for the batch); the
 * console appends a batch of command records before it sends any of those commands, so no command
 * leaves without its record. When {@code append} throws, nothing of the batch is sent. The file is
 * created 0600 and only ever appended to; a line cut short by a crash (no newline) is removed on
 * open, since it was never acknowledged. Not safe for two processes: the console lock guards it.
 */
public final class AuditLog implements AutoCloseable {
  public static final String FILE = "audit.jsonl";
  static final String GENESIS = AuditChain.GENESIS;
  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
  private static final ObjectMapper JSON = JsonMappers.plain();

  private final Path file;
  private final FileChannel channel;
  private String lastHash;

  private AuditLog(Path file, FileChannel channel, String lastHash) {
    this.file = file;
    this.channel = channel;
    this.lastHash = lastHash;
  }

  /** Opens (creating 0600 if needed) the log in {@code stateDir}. */
  public static AuditLog open(Path stateDir) {
    Path file = stateDir.resolve(FILE);
    try {
      OwnerOnly.createDirectories(stateDir);
      FileChannel ch =
          OwnerOnly.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
      OwnerOnly.narrow(file, OwnerOnly.FILE);
      String last = lastLineHash(file, ch);
      return new AuditLog(file, ch, last);
    } catch (IOException e) {
      throw new FleetException(
          FleetErrorCode.STATE_IO, "cannot open the audit log " + file + ": " + e.getMessage(), e);
    }
  }

  /** Appends {@code records} in order and forces them to disk; throws if they are not all there. */
  public synchronized void append(List<AuditRecord> records) {
    if (records.isEmpty()) {
      return;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    AuditChain.Links links = AuditChain.extend(lastHash, records);
    for (byte[] line : links.lines()) {
      bytes.writeBytes(line);
      bytes.write('\n');
    }
    String hash = links.head();
    try {
      long at = channel.size();
      ByteBuffer buf = ByteBuffer.wrap(bytes.toByteArray());
      while (buf.hasRemaining()) {
        channel.write(buf, at + buf.position());
      }
      channel.force(false);
    } catch (IOException e) {
      throw new FleetException(
          FleetErrorCode.STATE_IO,
          "cannot append to the audit log " + file + ": " + e.getMessage() + "; commands held back",
          e);
    }
    lastHash = hash;
  }

  static byte[] line(AuditRecord r) {
    try {
      return JSON.writeValueAsBytes(r);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The hash of the last complete line, after removing a torn one. */
  private static String lastLineHash(Path file, FileChannel ch) throws IOException {
    long size = ch.size();
    if (size == 0) {
      return GENESIS;
    }
    long end = size;
    if (byteAt(ch, size - 1) != '\n') {
      long cut = previousNewline(ch, size - 1) + 1;
      LOG.warn("audit log {}: removing {} bytes of a line cut short by a crash", file, size - cut);
      ch.truncate(cut);
      ch.force(true);
      end = cut;
    }
    if (end == 0) {
      return GENESIS;
    }
    long start = previousNewline(ch, end - 1) + 1;
    ByteBuffer line = ByteBuffer.allocate((int) (end - 1 - start));
    while (line.hasRemaining()) {
      if (ch.read(line, start + line.position()) < 0) {
        break;
      }
    }
    return Sha256.of(line.array());
  }

  /** Offset of the last newline before {@code before}, or -1. */
  private static long previousNewline(FileChannel ch, long before) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(8192);
    long pos = before;
    while (pos > 0) {
      long from = Math.max(0, pos - buf.capacity());
      buf.clear().limit((int) (pos - from));
      while (buf.hasRemaining() && ch.read(buf, from + buf.position()) >= 0) {
        // fill
      }
      for (int i = (int) (pos - from) - 1; i >= 0; i--) {
        if (buf.get(i) == '\n') {
          return from + i;
        }
      }
      pos = from;
    }
    return -1;
  }

  private static byte byteAt(FileChannel ch, long pos) throws IOException {
    ByteBuffer one = ByteBuffer.allocate(1);
    ch.read(one, pos);
    return one.get(0);
  }

  public Path file() {
    return file;
  }

  @Override
  public synchronized void close() {
    try {
      channel.close();
    } catch (IOException e) {
      LOG.debug("closing the audit log failed", e);
    }
  }
}
