package dev.kiln.bench;

import dev.kiln.bench.agent.BatchCeiling;
import dev.kiln.bench.agent.BatchingBench;
import dev.kiln.bench.agent.DeviceJvmBench;
import dev.kiln.bench.agent.FootprintBench;
import dev.kiln.bench.agent.OipBench;
import dev.kiln.bench.agent.OverheadBench;
import dev.kiln.bench.agent.ThroughputBench;
import dev.kiln.bench.capture.CaptureBench;
import java.util.List;

/** Markdown tables for the agent and capture benchmarks, ratios first, raw numbers for scale. */
final class AgentReports {
  private AgentReports() {}

  static void overhead(List<OverheadBench.Row> rows) {
    System.out.println(
        "| model | request | direct p50 ms | agent p50 ms | p50 overhead ms | ratio |"
            + " direct p99 ms | agent p99 ms | rounds |");
    System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for (OverheadBench.Row r : rows) {
      line(r, r.directWithAllocation(), "direct, OrtSessions.run (old baseline)");
      line(r, r.ping(), "GET /ping (HTTP floor: no body, no engine)");
      line(r, r.agentNpy(), ".npy, batching off");
      line(r, r.agentJson(), "JSON, batching off");
      line(r, r.agentBatchJson(), "JSON, batching on (maxBatchSize 8)");
      line(r, r.barePing(), "bare Jetty, GET (loopback, client, Jetty; no agent code)");
      line(r, r.bareNpy(), "bare Jetty, POST of the .npy body, the agent's reply");
      line(r, r.bareJson(), "bare Jetty, POST of the JSON body, the same reply");
      line(r, r.ownPing(), "own process (device JVM options): GET /ping");
      line(r, r.ownNpy(), "own process (device JVM options): .npy, batching off");
      line(r, r.ownJson(), "own process (device JVM options): JSON, batching off");
    }
  }

  private static void line(OverheadBench.Row r, Stats agent, String request) {
    if (agent == null) {
      return; // not timed in this run (-Dkiln.bench.overheadSubjects)
    }
    System.out.printf(
        "| %s | %s | %.3f | %.3f | %.3f | %.2fx | %.3f | %.3f | %d |%n",
        r.model(),
        request,
        r.direct().p50(),
        agent.p50(),
        agent.p50() - r.direct().p50(),
        agent.p50() / r.direct().p50(),
        r.direct().p99(),
        agent.p99(),
        r.rounds());
  }

  static void oip(List<OipBench.Row> rows, int clients) {
    System.out.println(
        "| model | path | body bytes | p50 ms | p99 ms | p50 vs .npy | req/s, "
            + clients
            + " clients | req/s vs .npy |");
    System.out.println("|---|---|---:|---:|---:|---:|---:|---:|");
    for (OipBench.Row r : rows) {
      OipBench.Row npy =
          rows.stream()
              .filter(o -> o.model().equals(r.model()) && o.path().endsWith(".npy"))
              .findFirst()
              .orElse(r);
      System.out.printf(
          "| %s | %s | %d | %.3f | %.3f | %.2fx | %.0f | %.2fx |%n",
          r.model(),
          r.path(),
          r.bodyBytes(),
          r.latency().p50(),
          r.latency().p99(),
          r.latency().p50() / npy.latency().p50(),
          r.reqPerSecond(),
          r.reqPerSecond() / npy.reqPerSecond());
    }
  }

  static void throughput(List<ThroughputBench.Row> rows) {
    System.out.println(
        "| model | clients | req/s, maxBatchSize 1 | req/s, maxBatchSize 8 | ratio 8/1 |"
            + " req/s, maxBatchSize 32 | ratio 32/1 |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|");
    for (ThroughputBench.Row r : rows) {
      System.out.printf(
          "| %s | %d | %.0f | %.0f | %.2fx | %.0f | %.2fx |%n",
          r.model(),
          r.clients(),
          r.noBatch(),
          r.batch8(),
          r.batch8() / r.noBatch(),
          r.batch32(),
          r.batch32() / r.noBatch());
    }
  }

  static void batching(BatchingBench.Result result) {
    batchingRows(result.rows());
    System.out.println();
    System.out.println(
        "The ceiling: the engine alone (one session, the intra-op threads of one predictor), the"
            + " model's sample input stacked into batches, interleaved. A row's share of a batch"
            + " against a lone row is the most batching can gain in throughput.");
    System.out.println();
    System.out.println(
        "| model | intra-op threads | rows per batch | batch p50 ms | per row ms |"
            + " lone row / row in batch |");
    System.out.println("|---|---:|---:|---:|---:|---:|");
    for (BatchingBench.Ceiling c : result.ceilings()) {
      double lone = c.points().get(0).perRowMillis();
      for (BatchCeiling.Point p : c.points()) {
        System.out.printf(
            "| %s | %d | %d | %.3f | %.4f | %.2fx |%n",
            c.model(),
            c.threads(),
            p.rows(),
            p.batchMillis().p50(),
            p.perRowMillis(),
            lone / p.perRowMillis());
      }
    }
  }

  private static void batchingRows(List<BatchingBench.Row> rows) {
    System.out.println(
        "Goals (issue 13): lone client on/off p50 at most 1.05x; 32 clients on mobilenet_v2 at"
            + " least 1.3x req/s on/off.");
    System.out.println();
    System.out.println(
        "| model | body | lone client p50 ms, off | on | ratio on/off | clients | req/s, off |"
            + " req/s, on | ratio on/off |");
    System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for (BatchingBench.Row r : rows) {
      System.out.printf(
          "| %s | %s | %.3f | %.3f | %.3fx | %d | %.0f | %.0f | %.2fx |%n",
          r.model(),
          r.body(),
          r.loneOffMs().p50(),
          r.loneOnMs().p50(),
          r.loneOnMs().p50() / r.loneOffMs().p50(),
          r.clients(),
          r.manyOff(),
          r.manyOn(),
          r.manyOn() / r.manyOff());
    }
  }

  static void deviceJvm(DeviceJvmBench.Result result) {
    System.out.printf(
        "Load average (1, 5, 15 min) at the start: %s; at the end: %s. The class-data archive"
            + " (kiln-agent cds) took %d ms to dump.%n%n",
        result.loadBefore(), result.loadAfter(), result.archiveMillis());
    System.out.println(
        "| model | JVM options | starts | spawn to first inference, median ms | CPU to first"
            + " inference, median ms | RSS after N requests, median MiB | max MiB | RSS "
            + result.settleSeconds()
            + " s later, median MiB | request p50 ms, last half |");
    System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for (DeviceJvmBench.Row r : result.rows()) {
      System.out.printf(
          "| %s | %s | %d | %.0f | %.0f | %.1f | %.1f | %.1f | %.3f |%n",
          r.model(),
          r.variant(),
          r.starts(),
          r.firstInferenceMs().p50(),
          r.firstInferenceCpuMs().p50(),
          r.rssMib().p50(),
          r.rssMib().p99(),
          r.settledRssMib().p50(),
          r.lastRequestsMs().p50());
    }
  }

  static void footprint(List<FootprintBench.Row> rows) {
    System.out.println(
        "| model | starts | agent: spawn to first inference, median ms | bare JVM: spawn to main,"
            + " median ms | ratio | agent RSS, median MiB | bare JVM RSS, median MiB | ratio |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (FootprintBench.Row r : rows) {
      System.out.printf(
          "| %s | %d | %.0f | %.0f | %.1fx | %.1f | %.1f | %.1fx |%n",
          r.model(),
          r.starts(),
          r.firstInferenceMs().p50(),
          r.jvmMainMs().p50(),
          r.firstInferenceMs().p50() / r.jvmMainMs().p50(),
          r.agentRssMib().p50(),
          r.jvmRssMib().p50(),
          r.agentRssMib().p50() / r.jvmRssMib().p50());
    }
  }

  static void capture(CaptureBench.Result r) {
    CaptureBench.Delivery d = r.delivery();
    System.out.println(
        "| model | records | tensor bytes per record | seconds until all stored | records/s stored |"
            + " agent req/s, 1 client, no capture | ratio stored/served |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|");
    System.out.printf(
        "| %s | %d | %d | %.2f | %.0f | %.0f | %.2fx |%n%n",
        d.model(),
        d.records(),
        d.recordBytes(),
        d.seconds(),
        d.perSecond(),
        d.servingPerSecond(),
        d.perSecond() / d.servingPerSecond());
    System.out.println(
        "| capture | p50 ms | p99 ms | mean ms | p50 ratio on/off | p99 ratio on/off |");
    System.out.println("|---|---:|---:|---:|---:|---:|");
    Stats off = r.captureOff();
    Stats on = r.captureOn();
    System.out.printf("| off | %.3f | %.3f | %.3f | | |%n", off.p50(), off.p99(), off.mean());
    System.out.printf(
        "| on, 100%%, inputs and outputs | %.3f | %.3f | %.3f | %.2fx | %.2fx |%n",
        on.p50(), on.p99(), on.mean(), on.p50() / off.p50(), on.p99() / off.p99());
    Stats sync = r.captureSync();
    System.out.printf(
        "| on, 100%%, durability sync (answer after fsync) | %.3f | %.3f | %.3f | %.2fx | %.2fx |%n",
        sync.p50(), sync.p99(), sync.mean(), sync.p50() / off.p50(), sync.p99() / off.p99());
  }
}
