package dev.kiln.bench.capture;

import dev.kiln.cloud.store.CaptureRow;
import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.cloud.store.StoreLocation;
import dev.kiln.fleet.simulate.capture.CaptureLoad;
import dev.kiln.link.protocol.capture.CaptureBatchCodec;
import dev.kiln.testkit.PostgresServer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.MqttPublish;
import org.eclipse.paho.mqttv5.common.packet.MqttWireMessage;

/**
 * Where one capture record's time goes on the ingest side, stage by stage, on one thread of this
 * process and without a broker, so the stages can be compared with each other and with the
 * end-to-end rate of {@link CaptureStoresBench}: the MQTT client turning a received packet into a
 * message (Paho's own parser, against a plain copy of the same bytes), un-gzipping and splitting
 * the batch, parsing each line, and the store's insert with its commit (the server's work included,
 * so its time is wall time; the others are this thread's CPU time).
 */
final class IngestStages {
  /** One stage: microseconds per record. */
  record Stage(String name, double microsPerRecord, String clock) {}

  private static final int GROUP = 16;

  private IngestStages() {}

  static List<Stage> measure(CaptureLoad load, PostgresServer pg, Path work) throws Exception {
    List<byte[]> payloads = load.payloads();
    int records = load.records();
    List<byte[]> packets = new ArrayList<>();
    for (byte[] p : payloads) {
      MqttMessage m = new MqttMessage(p);
      m.setQos(1);
      MqttPublish publish = new MqttPublish("kiln/v1/devices/d/capture", m, new MqttProperties());
      publish.setMessageId(1);
      packets.add(publish.serialize());
    }
    List<Stage> stages = new ArrayList<>();
    stages.add(
        new Stage("copy of the MQTT packets (baseline)", cpu(records, () -> copy(packets)), "cpu"));
    stages.add(
        new Stage(
            "MQTT client parses the packets (Paho)", cpu(records, () -> paho(packets)), "cpu"));
    stages.add(
        new Stage("un-gzip and split the batches", cpu(records, () -> gunzip(payloads)), "cpu"));
    List<List<byte[]>> lines = new ArrayList<>();
    payloads.forEach(p -> lines.add(CaptureBatchCodec.decode(p)));
    stages.add(new Stage("parse the lines", cpu(records, () -> parse(lines)), "cpu"));
    List<List<CaptureRow>> rows = parse(lines);
    stages.add(
        new Stage(
            "insert + commit, DuckDB",
            insert(StoreLocation.parse("duckdb:" + work.resolve("stages.duckdb")), rows, records),
            "wall"));
    stages.add(
        new Stage(
            "insert + commit, PostgreSQL",
            insert(StoreLocation.parse(pg.createDatabase("stages").storeUri()), rows, records),
            "wall"));
    return stages;
  }

  private interface Work {
    Object run() throws Exception;
  }

  /** This thread's CPU time per record, best of three after a warm-up. */
  private static double cpu(int records, Work work) throws Exception {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    work.run();
    long best = Long.MAX_VALUE;
    for (int round = 0; round < 3; round++) {
      long start = threads.getCurrentThreadCpuTime();
      work.run();
      best = Math.min(best, threads.getCurrentThreadCpuTime() - start);
    }
    return best / 1e3 / records;
  }

  private static Object copy(List<byte[]> packets) {
    long sum = 0;
    for (byte[] p : packets) {
      sum += p.clone().length;
    }
    return sum;
  }

  private static Object paho(List<byte[]> packets) throws Exception {
    long sum = 0;
    for (byte[] p : packets) {
      MqttPublish m = (MqttPublish) MqttWireMessage.createWireMessage(p);
      sum += m.getPayloadLength();
    }
    return sum;
  }

  private static Object gunzip(List<byte[]> payloads) {
    long sum = 0;
    for (byte[] p : payloads) {
      sum += CaptureBatchCodec.decode(p).size();
    }
    return sum;
  }

  private static List<List<CaptureRow>> parse(List<List<byte[]>> batches) {
    List<List<CaptureRow>> out = new ArrayList<>(batches.size());
    for (List<byte[]> lines : batches) {
      List<CaptureRow> rows = new ArrayList<>(lines.size());
      for (byte[] line : lines) {
        rows.add(CaptureRow.parse(line));
      }
      out.add(rows);
    }
    return out;
  }

  /**
   * Wall time per record of the ingestor's group commit: up to {@value #GROUP} batches a
   * transaction.
   */
  private static double insert(StoreLocation where, List<List<CaptureRow>> rows, int records)
      throws Exception {
    try (CaptureStore store = CaptureStore.open(where)) {
      long start = System.nanoTime();
      for (int from = 0; from < rows.size(); from += GROUP) {
        int to = Math.min(rows.size(), from + GROUP);
        List<String> ids = new ArrayList<>();
        for (int k = from; k < to; k++) {
          ids.add("stage-" + k);
        }
        store.insertGroups(rows.subList(from, to), ids);
      }
      return (System.nanoTime() - start) / 1e3 / records;
    }
  }

  static void print(List<Stage> stages) {
    System.out.println();
    System.out.println(
        "| stage (one thread, no broker) | µs per record | clock | records/s on one core |");
    System.out.println("|---|---:|---|---:|");
    for (Stage s : stages) {
      System.out.printf(
          "| %s | %.1f | %s | %.0f |%n",
          s.name(), s.microsPerRecord(), s.clock(), 1e6 / s.microsPerRecord());
    }
  }
}
