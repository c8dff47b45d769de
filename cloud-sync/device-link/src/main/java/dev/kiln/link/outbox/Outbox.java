package dev.kiln.link.outbox;

import dev.kiln.files.OwnerOnly;
import dev.kiln.link.error.LinkErrorCode;
import dev.kiln.link.error.LinkException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable, bounded, append-only log of records waiting for the broker's acknowledgement.
 *
 * <p>Contracts: {@link #append} never throws; it returns the record's sequence number, or -1 when
 * the record was dropped (disk full or failing, or larger than a segment), counted in {@link
 * #stats()}. A record is durable once {@link #flush()} returns after its append; only durable
 * records are handed out by {@link #read}. {@link #ackThrough} persists the acknowledged offset
 * atomically before deleting segments, so after a crash (kill -9 included) every durable record
 * that was not acknowledged is read again: delivery is at-least-once. Past {@code maxBytes} the
 * oldest segment is deleted, acknowledged or not, and its unacknowledged records are counted in
 * {@code droppedOldest}. Thread-safe.
 *
 * <p>At rest: files are created 0600 and the folder 0700. With a key in the config every new
 * segment is sealed with AES-256-GCM ({@link RecordCipher}); plain segments written before the key
 * was set are still read and sent, so adding a key loses nothing. A record that fails its check (a
 * GCM tag, or a CRC in a plain segment) is never handed out: it is skipped, logged with its segment
 * and offset, and counted once in {@link OutboxStats#refusedRecords()} (since this process
 * started). A sealed segment whose key id differs from the configured key, or a sealed segment with
 * no key configured, makes {@link #open} fail with a message naming the file and both key ids.
 */
public final class Outbox implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
  private static final long DISK_CHECK_INTERVAL_NANOS = 1_000_000_000L;

  /** A record read back: its sequence number and payload. */
  public record Entry(long seq, byte[] payload) {}

  private final OutboxConfig config;

  /** Null when no key is configured: new segments are plain. */
  private final RecordCipher cipher;

  private final TreeMap<Long, Segment> segments = new TreeMap<>();
  private OutboxState state;
  private long nextSeq;
  private long durableSeq;
  private long totalBytes;
  private boolean dirDirty;
  private long lastDiskCheck;
  private boolean diskLow;
  private Runnable onDurable = () -> {};
  private long refusedRecords;

  private Outbox(OutboxConfig config) {
    this.config = config;
    this.cipher = config.encryptionKey() == null ? null : new RecordCipher(config.encryptionKey());
  }

  /**
   * Opens (creating if needed) and recovers the outbox: truncates torn tails, drops acked files.
   */
  public static Outbox open(OutboxConfig config) {
    Outbox o = new Outbox(config);
    try {
      OwnerOnly.createDirectories(config.dir());
      o.recover();
    } catch (Segment.WrongKeyException e) {
      o.close();
      throw new LinkException(
          LinkErrorCode.CONFIG_INVALID, "cannot open outbox: " + e.getMessage(), e);
    } catch (IOException e) {
      o.close();
      throw new LinkException(
          LinkErrorCode.OUTBOX_IO,
          "cannot open outbox in " + config.dir() + ": " + e.getMessage() + "; check permissions",
          e);
    }
    return o;
  }

  private void recover() throws IOException {
    state = OutboxState.load(config.dir());
    List<Path> files;
    try (Stream<Path> s = Files.list(config.dir())) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".seg")).sorted().toList();
    }
    for (Path f : files) {
      long base = Long.parseLong(f.getFileName().toString().replace(".seg", ""));
      Segment seg = Segment.recover(f, base, cipher);
      if (seg.count() > 0 && seg.lastSeq() <= state.ackedSeq()) {
        seg.delete();
      } else if (seg.count() == 0 && !f.equals(files.get(files.size() - 1))) {
        seg.delete();
      } else {
        segments.put(base, seg);
        totalBytes += seg.size();
      }
    }
    long last = segments.isEmpty() ? 0 : segments.lastEntry().getValue().lastSeq();
    // Never reuse a sequence the state already calls acknowledged, or new records would vanish.
    nextSeq = Math.max(last, state.ackedSeq()) + 1;
    durableSeq = nextSeq - 1;
    LOG.info(
        "outbox {}: {} pending records in {} segments",
        config.dir(),
        pendingRecords(),
        segments.size());
  }

  public synchronized long append(byte[] payload) {
    if (Segment.frameBytes(cipher, payload.length) > config.segmentBytes()) {
      state = state.plusDroppedOversize();
      return -1;
    }
    if (diskLow()) {
      state = state.plusDroppedDiskFull();
      return -1;
    }
    try {
      Segment active = active();
      totalBytes += active.append(payload);
    } catch (IOException e) {
      LOG.warn("outbox append failed, dropping the record: {}", e.toString());
      state = state.plusDroppedDiskFull();
      diskLow = true;
      lastDiskCheck = System.nanoTime();
      return -1;
    }
    long seq = nextSeq++;
    enforceBound();
    return seq;
  }

  /** Forces appended records to disk and makes them readable. Never throws. */
  public void flush() {
    Runnable notify;
    synchronized (this) {
      long target = nextSeq - 1;
      if (target == durableSeq && !dirDirty) {
        return;
      }
      try {
        for (Segment s : segments.tailMap(segments.isEmpty() ? 0 : firstUnflushedBase()).values()) {
          s.force();
        }
        if (dirDirty) {
          OutboxState.forceDirectory(config.dir());
          dirDirty = false;
        }
        durableSeq = target;
      } catch (IOException e) {
        LOG.warn(
            "outbox flush failed; records stay unreadable until a flush succeeds: {}",
            e.toString());
        return;
      }
      notify = onDurable;
    }
    notify.run();
  }

  /**
   * Up to {@code maxEntries} durable records from {@code fromSeq} on, within about {@code
   * maxBytes}.
   */
  public synchronized List<Entry> read(long fromSeq, int maxEntries, long maxBytes) {
    List<Entry> out = new ArrayList<>();
    long bytes = 0;
    long seq = Math.max(fromSeq, state.ackedSeq() + 1);
    for (Map.Entry<Long, Segment> e : segments.tailMap(floorBase(seq), true).entrySet()) {
      Segment s = e.getValue();
      for (seq = Math.max(seq, s.baseSeq()); seq <= s.lastSeq() && seq <= durableSeq; seq++) {
        int frame = s.frameBytes(seq);
        if (out.size() >= maxEntries || (!out.isEmpty() && bytes + frame > maxBytes)) {
          return out;
        }
        try {
          byte[] p = s.read(seq);
          if (p != null) {
            out.add(new Entry(seq, p));
            bytes += frame;
          } else {
            refused(s, seq);
          }
        } catch (IOException ex) {
          LOG.warn("outbox read of record {} failed: {}", seq, ex.toString());
          return out;
        }
      }
    }
    return out;
  }

  /** Marks every record up to {@code seq} as acknowledged, durably, and deletes spent segments. */
  public synchronized void ackThrough(long seq) {
    if (seq <= state.ackedSeq()) {
      return;
    }
    state = state.ackedThrough(Math.min(seq, nextSeq - 1));
    saveState();
    Segment active = segments.isEmpty() ? null : segments.lastEntry().getValue();
    while (!segments.isEmpty()) {
      Segment first = segments.firstEntry().getValue();
      if (first == active || first.lastSeq() > state.ackedSeq()) {
        break;
      }
      removeFirst();
    }
  }

  /** The first sequence not yet acknowledged (it may not exist yet). */
  public synchronized long firstUnacked() {
    return state.ackedSeq() + 1;
  }

  public synchronized long durableSeq() {
    return durableSeq;
  }

  /** Called (outside the lock) after each flush that made new records readable. */
  public synchronized void onDurable(Runnable listener) {
    this.onDurable = listener;
  }

  public synchronized OutboxStats stats() {
    return new OutboxStats(
        pendingRecords(),
        totalBytes,
        state.ackedSeq(),
        nextSeq - 1,
        state.droppedOldest(),
        state.droppedDiskFull(),
        state.droppedOversize(),
        refusedRecords);
  }

  @Override
  public synchronized void close() {
    for (Segment s : segments.values()) {
      try {
        s.force();
        s.close();
      } catch (IOException e) {
        LOG.debug("closing segment failed", e);
      }
    }
    segments.clear();
  }

  private long pendingRecords() {
    long n = 0;
    for (Segment s : segments.values()) {
      n += Math.max(0, s.lastSeq() - Math.max(state.ackedSeq(), s.baseSeq() - 1));
    }
    return n;
  }

  private Segment active() throws IOException {
    Segment last = segments.isEmpty() ? null : segments.lastEntry().getValue();
    if (last != null
        && last.size() < config.segmentBytes()
        && last.lastSeq() + 1 == nextSeq
        && last.sealed() == (cipher != null)) {
      return last;
    }
    if (last != null) {
      last.force();
    }
    Segment s = Segment.create(config.dir(), nextSeq, cipher);
    segments.put(nextSeq, s);
    totalBytes += s.size();
    dirDirty = true;
    return s;
  }

  private void refused(Segment s, long seq) {
    if (s.markRefused(seq)) {
      refusedRecords++;
      LOG.warn(
          "outbox record {} in {} at offset {} fails its {} check (tampered, moved or corrupt);"
              + " it is skipped and never sent",
          seq,
          s.file(),
          s.position(seq),
          s.sealed() ? "authentication" : "CRC");
    }
  }

  private void enforceBound() {
    while (totalBytes > config.maxBytes() && segments.size() > 1) {
      Segment first = segments.firstEntry().getValue();
      long lost = Math.max(0, first.lastSeq() - Math.max(state.ackedSeq(), first.baseSeq() - 1));
      state =
          state.ackedThrough(Math.max(state.ackedSeq(), first.lastSeq())).plusDroppedOldest(lost);
      // The offset must move past the deleted records before they go, or a crash resurrects none.
      saveState();
      removeFirst();
      LOG.warn("outbox over {} bytes: dropped {} oldest unsent records", config.maxBytes(), lost);
    }
  }

  private void removeFirst() {
    Segment s = segments.pollFirstEntry().getValue();
    totalBytes -= s.size();
    try {
      s.delete();
    } catch (IOException e) {
      LOG.warn("cannot delete outbox segment {}: {}", s.file(), e.toString());
    }
  }

  private boolean diskLow() {
    long now = System.nanoTime();
    if (now - lastDiskCheck >= DISK_CHECK_INTERVAL_NANOS || lastDiskCheck == 0) {
      lastDiskCheck = now;
      try {
        diskLow = Files.getFileStore(config.dir()).getUsableSpace() < config.minFreeDiskBytes();
      } catch (IOException e) {
        diskLow = true;
      }
    }
    return diskLow;
  }

  private void saveState() {
    try {
      state.save(config.dir());
    } catch (IOException e) {
      // The in-memory offset still advances; a crash before the next good save resends records,
      // which de-duplication absorbs.
      LOG.warn("cannot persist outbox state: {}", e.toString());
    }
  }

  private long floorBase(long seq) {
    Long k = segments.floorKey(seq);
    return k == null ? (segments.isEmpty() ? 0 : segments.firstKey()) : k;
  }

  private long firstUnflushedBase() {
    return floorBase(durableSeq + 1);
  }
}
