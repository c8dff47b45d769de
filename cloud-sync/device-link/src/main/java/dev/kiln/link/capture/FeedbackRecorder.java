package dev.kiln.link.capture;

import dev.kiln.link.outbox.OutboxWriter;
import dev.kiln.link.protocol.capture.FeedbackRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Puts ground truth and rewards ({@code POST /feedback}) into the capture outbox, behind the same
 * writer as captures. Unlike capture, feedback is always written with durability {@code sync}: the
 * caller is told how many records are on disk, and a record counted there reaches the cloud even if
 * the agent is killed the next moment. Feedback is a few records per request served, so the shared
 * fsync costs little.
 */
public final class FeedbackRecorder {
  /** The longest a caller waits for the disk to confirm its feedback. */
  public static final Duration SYNC_WAIT = Duration.ofSeconds(5);

  private final String deviceId;
  private final OutboxWriter<? super FeedbackRecord> writer;
  private final AtomicLong stored = new AtomicLong();
  private final AtomicLong notStored = new AtomicLong();

  public FeedbackRecorder(String deviceId, OutboxWriter<? super FeedbackRecord> writer) {
    this.deviceId = deviceId;
    this.writer = writer;
  }

  /**
   * Stamps each record with this device and its id, queues them all and waits until they are on
   * disk; returns how many are. Those that are not (queue or disk full, not confirmed within {@link
   * #SYNC_WAIT}) are counted in {@link #notStored()}; the caller may send them again, and since a
   * record's id is derived from its content, one that was stored after all is not stored twice in
   * the cloud.
   */
  public int record(List<FeedbackRecord> records) {
    List<FeedbackRecord> stamped = new ArrayList<>(records.size());
    for (FeedbackRecord r : records) {
      stamped.add(r.fromDevice(deviceId));
    }
    int n = writer.offerAllAndWait(stamped, SYNC_WAIT);
    stored.addAndGet(n);
    notStored.addAndGet(records.size() - n);
    return n;
  }

  /** Feedback records confirmed on disk by this process. */
  public long stored() {
    return stored.get();
  }

  /** Feedback records a caller was told were not stored. */
  public long notStored() {
    return notStored.get();
  }
}
