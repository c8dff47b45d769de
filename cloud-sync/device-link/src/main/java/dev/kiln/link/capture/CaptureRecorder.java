package dev.kiln.link.capture;

import dev.kiln.link.outbox.OutboxWriter;
import dev.kiln.link.protocol.capture.CaptureRecord;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * What the agent calls from the inference path. Sampling is one random draw, and a sampled record
 * goes into a bounded queue in front of the disk writer; a full queue drops the record and counts
 * it. JSON encoding, disk I/O and the network all happen on other threads.
 *
 * <p>Durability ({@link CaptureConfig#durability()}): with {@code ASYNC} nothing here blocks, and a
 * record is on disk within one write group (milliseconds) after the call: a crash in between loses
 * it, though the inference was answered. With {@code SYNC} {@link #capture} returns only once the
 * record is fsynced (callers arriving together share one fsync), or after {@link #SYNC_WAIT} when
 * the disk does not confirm; a record that cannot be stored (queue or disk full, too large) is
 * dropped and counted in both modes: capture never fails an inference.
 */
public final class CaptureRecorder {
  private final String deviceId;
  private final OutboxWriter<? super CaptureRecord> writer;
  private final AtomicLong sampled = new AtomicLong();

  /** The longest a SYNC capture holds its caller when the disk does not confirm. */
  public static final Duration SYNC_WAIT = Duration.ofSeconds(2);

  public CaptureRecorder(String deviceId, OutboxWriter<? super CaptureRecord> writer) {
    this.deviceId = deviceId;
    this.writer = writer;
  }

  /** One draw against {@code samplePercent}; call before building a record to skip the copy. */
  public boolean shouldSample(CaptureConfig config) {
    double p = config.samplePercent();
    return p >= 100 || (p > 0 && ThreadLocalRandom.current().nextDouble() * 100 < p);
  }

  /** Samples, then builds the record only if sampled; true when it was queued. */
  public boolean capture(CaptureConfig config, Supplier<CaptureRecord> record) {
    return shouldSample(config) && enqueue(config, record.get());
  }

  /**
   * Queues an already-sampled record (mode and payload cap applied); true when queued (ASYNC) or on
   * disk (SYNC).
   */
  public boolean enqueue(CaptureConfig config, CaptureRecord record) {
    sampled.incrementAndGet();
    CaptureRecord shaped = config.shape(record, deviceId);
    return config.durability() == CaptureDurability.SYNC
        ? writer.offerAndWait(shaped, SYNC_WAIT)
        : writer.offer(shaped);
  }

  /** SYNC captures that went on without their record confirmed on disk. */
  public long notDurable() {
    return writer.notDurable();
  }

  public long sampled() {
    return sampled.get();
  }

  /** Records dropped because the queue in front of the disk was full. */
  public long queueDropped() {
    return writer.dropped();
  }
}
