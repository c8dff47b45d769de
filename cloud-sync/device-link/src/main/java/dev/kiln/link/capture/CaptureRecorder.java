package dev.kiln.link.capture;

import dev.kiln.link.outbox.OutboxWriter;
import dev.kiln.link.protocol.capture.CaptureRecord;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * What the agent calls from the inference path. Every method is non-blocking: sampling is one
 * random draw, and a sampled record goes into a bounded queue in front of the disk writer; a full
 * queue drops the record and counts it. JSON encoding, disk I/O and the network all happen on other
 * threads.
 */
public final class CaptureRecorder {
  private final String deviceId;
  private final OutboxWriter<CaptureRecord> writer;
  private final AtomicLong sampled = new AtomicLong();

  public CaptureRecorder(String deviceId, OutboxWriter<CaptureRecord> writer) {
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

  /** Queues an already-sampled record (mode and payload cap applied); true when queued. */
  public boolean enqueue(CaptureConfig config, CaptureRecord record) {
    sampled.incrementAndGet();
    return writer.offer(config.shape(record, deviceId));
  }

  public long sampled() {
    return sampled.get();
  }

  /** Records dropped because the queue in front of the disk was full. */
  public long queueDropped() {
    return writer.dropped();
  }
}
