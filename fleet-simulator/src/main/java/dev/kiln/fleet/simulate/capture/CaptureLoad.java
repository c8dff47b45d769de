package dev.kiln.fleet.simulate.capture;

import dev.kiln.link.protocol.MessageProps;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.Topics;
import dev.kiln.link.protocol.capture.CaptureBatchCodec;
import dev.kiln.link.protocol.capture.CaptureRecord;
import dev.kiln.link.protocol.capture.CaptureTensor;
import dev.kiln.link.transport.MqttTransport;
import dev.kiln.link.transport.TransportConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Capture batches from simulated devices: {@code records} CNN-sized records (input [1,3,32,32] and
 * output [1,10] float32, 12,328 bytes of tensor data, random values, as the sample CNN captures),
 * in gzip NDJSON batches of {@code perBatch} records, the wire form of the agent's capture path.
 * Encoded up front by {@link #encode}, so that {@link #publish} measures the ingest side, not the
 * encoding. Record ids are stable ({@link #recordId}): a test knows exactly which ids must be
 * stored.
 */
public final class CaptureLoad {
  public static final String MODEL = "cnn";
  private static final long[] INPUT_SHAPE = {1, 3, 32, 32};
  private static final long[] OUTPUT_SHAPE = {1, 10};

  /** Unacknowledged QoS 1 publishes per device connection (the transport's own bound is 32). */
  private static final int WINDOW = 16;

  /** One encoded batch of one device. */
  public record Batch(int device, byte[] payload, int records) {}

  private final String prefix;
  private final int devices;
  private final List<Batch> batches;
  private final int records;

  private CaptureLoad(String prefix, int devices, List<Batch> batches, int records) {
    this.prefix = prefix;
    this.devices = devices;
    this.batches = batches;
    this.records = records;
  }

  /** The id of record {@code i} of this load. */
  public static String recordId(String prefix, int i) {
    return UUID.nameUUIDFromBytes((prefix + "-" + i).getBytes(StandardCharsets.UTF_8)).toString();
  }

  public static String deviceId(String prefix, int device) {
    return prefix + "-dev-" + device;
  }

  /** Record i goes to device i % devices; each device's records are cut into batches. */
  public static CaptureLoad encode(String prefix, int devices, int records, int perBatch) {
    SplittableRandom random = new SplittableRandom(records);
    List<Batch> batches = new ArrayList<>();
    List<List<byte[]>> pending = new ArrayList<>();
    for (int d = 0; d < devices; d++) {
      pending.add(new ArrayList<>());
    }
    long now = System.currentTimeMillis();
    for (int i = 0; i < records; i++) {
      int d = i % devices;
      pending.get(d).add(ProtocolJson.write(record(prefix, i, deviceId(prefix, d), now, random)));
      if (pending.get(d).size() == perBatch) {
        batches.add(new Batch(d, CaptureBatchCodec.encode(pending.get(d)), perBatch));
        pending.get(d).clear();
      }
    }
    for (int d = 0; d < devices; d++) {
      if (!pending.get(d).isEmpty()) {
        batches.add(new Batch(d, CaptureBatchCodec.encode(pending.get(d)), pending.get(d).size()));
      }
    }
    return new CaptureLoad(prefix, devices, batches, records);
  }

  private static CaptureRecord record(
      String prefix, int i, String device, long now, SplittableRandom random) {
    float[] in = new float[3 * 32 * 32];
    for (int k = 0; k < in.length; k++) {
      in[k] = (float) random.nextDouble(-1, 1);
    }
    float[] out = new float[10];
    for (int k = 0; k < out.length; k++) {
      out[k] = (float) random.nextDouble();
    }
    return new CaptureRecord(
        ProtocolJson.SCHEMA_VERSION,
        recordId(prefix, i),
        device,
        MODEL,
        "1.0.0",
        "1.0.0",
        now,
        1.5,
        List.of(CaptureTensor.ofFloats("input", INPUT_SHAPE, in)),
        List.of(CaptureTensor.ofFloats("output", OUTPUT_SHAPE, out)),
        false,
        false);
  }

  public int records() {
    return records;
  }

  public int batches() {
    return batches.size();
  }

  /** The encoded batches, as devices publish them. */
  public List<byte[]> payloads() {
    return batches.stream().map(Batch::payload).toList();
  }

  /**
   * Publishes every batch at QoS 1, each device on its own connection and thread, and returns once
   * the broker acknowledged them all. A publish the transport refuses (disconnected, window full)
   * is retried: the load is delivered at least once, as a device's outbox would deliver it.
   */
  public void publish(String brokerUrl, Duration timeout) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(devices);
    List<MqttTransport> links = new ArrayList<>();
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int d = 0; d < devices; d++) {
        MqttTransport t =
            new MqttTransport(
                TransportConfig.builder(brokerUrl, deviceId(prefix, d))
                    .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
                    .build());
        t.start();
        links.add(t);
        int device = d;
        done.add(pool.submit(() -> publishDevice(t, device, timeout)));
      }
      for (Future<?> f : done) {
        f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      }
    } finally {
      pool.shutdownNow();
      links.forEach(MqttTransport::close);
    }
  }

  /** Publishes the device's batches with a window of unacknowledged ones; failed ones again. */
  private Void publishDevice(MqttTransport t, int device, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String topic = Topics.capture(deviceId(prefix, device));
    List<Batch> todo = new ArrayList<>();
    for (Batch b : batches) {
      if (b.device() == device) {
        todo.add(b);
      }
    }
    Semaphore window = new Semaphore(WINDOW);
    while (!todo.isEmpty()) {
      List<Map.Entry<Batch, CompletableFuture<Void>>> sent = new ArrayList<>();
      for (Batch b : todo) {
        while (!t.isConnected()) {
          checkDeadline(deadline, topic);
          TimeUnit.MILLISECONDS.sleep(20);
        }
        window.acquire();
        CompletableFuture<Void> ack = t.publish(topic, b.payload(), 1, false, props(b));
        ack.whenComplete((ok, e) -> window.release());
        sent.add(Map.entry(b, ack));
      }
      todo = new ArrayList<>();
      for (Map.Entry<Batch, CompletableFuture<Void>> e : sent) {
        checkDeadline(deadline, topic);
        try {
          e.getValue().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException notAcknowledged) {
          todo.add(e.getKey());
        }
      }
      if (!todo.isEmpty()) {
        TimeUnit.MILLISECONDS.sleep(50);
      }
    }
    return null;
  }

  private static void checkDeadline(long deadline, String topic) {
    if (System.nanoTime() > deadline) {
      throw new IllegalStateException(topic + ": not every batch was acknowledged in time");
    }
  }

  private static MessageProps props(Batch b) {
    return new MessageProps(
        CaptureBatchCodec.CONTENT_TYPE,
        null,
        null,
        null,
        Map.of(
            CaptureBatchCodec.PROP_ENCODING, CaptureBatchCodec.ENCODING,
            CaptureBatchCodec.PROP_SCHEMA, String.valueOf(ProtocolJson.SCHEMA_VERSION),
            CaptureBatchCodec.PROP_BATCH_ID, UUID.randomUUID().toString(),
            CaptureBatchCodec.PROP_RECORDS, String.valueOf(b.records())));
  }
}
