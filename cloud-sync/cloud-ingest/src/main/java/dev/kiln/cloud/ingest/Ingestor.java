package dev.kiln.cloud.ingest;

import dev.kiln.cloud.quality.FeedbackTable;
import dev.kiln.cloud.registry.DeviceStatusTable;
import dev.kiln.cloud.store.CaptureRow;
import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.link.error.LinkException;
import dev.kiln.link.protocol.DeviceStatus;
import dev.kiln.link.protocol.Heartbeat;
import dev.kiln.link.protocol.InboundMessage;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.Provenance;
import dev.kiln.link.protocol.Topic;
import dev.kiln.link.protocol.TopicKind;
import dev.kiln.link.protocol.Topics;
import dev.kiln.link.protocol.capture.CaptureBatchCodec;
import dev.kiln.link.protocol.capture.CaptureRecord;
import dev.kiln.link.protocol.capture.FeedbackRecord;
import dev.kiln.link.transport.MqttTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subscribes to capture (shared), status and heartbeats, and writes them to the store. A QoS 1
 * message is acknowledged only after its transaction commits ({@link IngestWriter}: consecutive
 * capture batches share one transaction): if the database throws, the message is not acknowledged
 * and the broker redelivers it; a redelivered batch is de-duplicated by record id. Undecodable
 * messages are counted and acknowledged (retrying them would never succeed).
 */
public final class Ingestor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Ingestor.class);
  private static final long READY_POLL_MS = 20;

  private final IngestConfig config;
  private final CaptureStore store;
  private final DeviceStatusTable registry;
  private final MqttTransport transport;
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong records = new AtomicLong();
  private final AtomicLong inserted = new AtomicLong();
  private final AtomicLong heartbeats = new AtomicLong();
  private final AtomicLong statuses = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong ignored = new AtomicLong();
  private final AtomicLong feedbackRecords = new AtomicLong();
  private final AtomicLong feedbackInserted = new AtomicLong();
  private final FeedbackTable feedback;
  private final IngestWriter writer;
  private final Set<Provenance.Verdict> loggedCauses = ConcurrentHashMap.newKeySet();

  public Ingestor(IngestConfig config, CaptureStore store) {
    this.config = config;
    this.store = store;
    this.registry = new DeviceStatusTable(store);
    this.feedback = new FeedbackTable(store);
    this.transport = new MqttTransport(config.transport());
    this.writer = new IngestWriter(store);
    transport.setAsyncMessageHandler(this::handle);
    // Kept, so it is renewed on every connect: a broker that lost our session (restart without
    // persistence) reports sessionPresent=false and would otherwise send us nothing.
    transport.keepSubscribed(
        List.of(
            config.shareGroup() == null
                ? Topics.allDevices(TopicKind.CAPTURE)
                : Topics.shared(config.shareGroup(), Topics.allDevices(TopicKind.CAPTURE)),
            Topics.allDevices(TopicKind.STATUS),
            Topics.allDevices(TopicKind.HEARTBEAT)),
        1);
  }

  public void start() {
    transport.start();
  }

  public boolean connected() {
    return transport.isConnected();
  }

  /**
   * Connected and the broker acknowledged the subscriptions. Capture published before that (to a
   * shared subscription nobody holds yet) is refused by the broker and retried by the device, so
   * whoever starts devices right after the ingestor should wait for this, not for the connection.
   */
  public boolean ready() {
    return transport.subscribed();
  }

  /** Waits up to {@code timeout} for {@link #ready()}; false if it did not happen in time. */
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!ready()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(READY_POLL_MS);
    }
    return true;
  }

  public IngestStats stats() {
    long r = records.get();
    long i = inserted.get();
    return new IngestStats(
        batches.get(),
        r,
        i,
        r - i,
        heartbeats.get(),
        statuses.get(),
        rejected.get(),
        ignored.get());
  }

  /** Feedback records received, and how many of them were new (the rest were duplicates). */
  public long feedbackReceived() {
    return feedbackRecords.get();
  }

  public long feedbackInserted() {
    return feedbackInserted.get();
  }

  /**
   * Decodes on the MQTT thread; the store write runs on the writer's thread, in arrival order, and
   * the message is acknowledged when it committed. A message that is not stored (undecodable, not
   * believed, not ours) still takes its turn, so acknowledgements stay in arrival order.
   */
  private CompletableFuture<Void> handle(InboundMessage m) {
    Optional<Topic> topic = Topic.parse(m.topic());
    if (topic.isEmpty()) {
      return writer.other(() -> {});
    }
    String device = topic.get().deviceId();
    try {
      switch (topic.get().kind()) {
        case CAPTURE -> {
          if (believed(m, device, null, 0)) {
            return writer.capture(decodeBatch(m, device));
          }
        }
        case STATUS -> {
          if (m.payload().length > 0) {
            DeviceStatus s = ProtocolJson.read(m.payload(), DeviceStatus.class);
            if (believed(m, device, s.deviceId(), Math.max(s.ts(), s.connectedAt()))) {
              return writer.other(
                  () -> {
                    registry.onStatus(s);
                    statuses.incrementAndGet();
                  });
            }
          }
        }
        case HEARTBEAT -> {
          Heartbeat hb = ProtocolJson.read(m.payload(), Heartbeat.class);
          if (believed(m, device, hb.deviceId(), hb.ts())) {
            return writer.other(
                () -> {
                  registry.onHeartbeat(hb, m.payload());
                  heartbeats.incrementAndGet();
                });
          }
        }
        default -> {}
      }
    } catch (LinkException e) {
      rejected.incrementAndGet();
      LOG.warn("rejecting undecodable message on {}: {}", m.topic(), e.getMessage());
    }
    return writer.other(() -> {});
  }

  /**
   * Whether to store a message (see {@link Provenance}); one that is not is acknowledged, counted
   * and, the first time for its cause, logged.
   */
  private boolean believed(InboundMessage m, String device, String bodyDevice, long ts) {
    Provenance.Verdict v =
        Provenance.judge(m.props(), device, bodyDevice, ts, System.currentTimeMillis());
    if (v == Provenance.Verdict.BELIEVED) {
      return true;
    }
    ignored.incrementAndGet();
    if (loggedCauses.add(v)) {
      LOG.warn(
          "ignoring a message on {} ({}{}); further ones for this cause are counted, not logged",
          m.topic(),
          v,
          m.retained() ? ", retained" : "");
    }
    return false;
  }

  private IngestWriter.CaptureBatch decodeBatch(InboundMessage m, String device) {
    String schema = m.props().userProperty(CaptureBatchCodec.PROP_SCHEMA);
    if (schema != null && !schema.equals(String.valueOf(ProtocolJson.SCHEMA_VERSION))) {
      throw new LinkException(
          dev.kiln.link.error.LinkErrorCode.PROTOCOL_INVALID,
          "capture schema " + schema + " is not supported by this ingestor (v1)");
    }
    List<byte[]> lines = CaptureBatchCodec.decode(m.payload());
    List<CaptureRow> batch = new ArrayList<>(lines.size());
    List<FeedbackRecord> feedbackLines = new ArrayList<>();
    for (byte[] line : lines) {
      if (FeedbackRecord.isFeedbackLine(line)) {
        FeedbackRecord f = ProtocolJson.read(line, FeedbackRecord.class);
        if (device.equals(f.deviceId()) && f.id() != null && f.requestId() != null) {
          feedbackLines.add(f);
        } else {
          rejected.incrementAndGet();
        }
        continue;
      }
      CaptureRow row = CaptureRow.parse(line);
      CaptureRecord r = row.record();
      if (!device.equals(r.deviceId()) || r.id() == null || r.model() == null) {
        // A device may only write its own records; the topic is what the broker's ACL checked.
        // A line without id or model (a record kind this ingestor does not know) could never be
        // stored, and failing the batch for it would have it redelivered forever.
        rejected.incrementAndGet();
        continue;
      }
      batch.add(row);
    }
    String batchId = m.props().userProperty(CaptureBatchCodec.PROP_BATCH_ID);
    return new IngestWriter.CaptureBatch(
        batch,
        batchId,
        n -> {
          if (!feedbackLines.isEmpty()) {
            // Its own transaction: a redelivery after a failure here finds the captures already
            // stored and skips them, since both tables are keyed by record id.
            feedbackInserted.addAndGet(
                feedback.insert(feedbackLines, FeedbackTable.SOURCE_DEVICE, batchId));
            feedbackRecords.addAndGet(feedbackLines.size());
          }
          batches.incrementAndGet();
          records.addAndGet(batch.size());
          inserted.addAndGet(n);
        });
  }

  /**
   * Publishes on the ingestor's own connection (QoS 1, not retained), e.g. a drift alert; waits up
   * to {@code timeout} for the broker's acknowledgement.
   */
  public void publish(String topic, byte[] payload, Duration timeout) throws Exception {
    transport
        .publish(
            topic,
            payload,
            1,
            false,
            new dev.kiln.link.protocol.MessageProps(
                "application/json", null, null, null, java.util.Map.of()))
        .get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    transport.close();
    writer.close();
  }
}
