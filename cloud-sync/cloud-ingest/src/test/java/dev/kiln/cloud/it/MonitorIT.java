package dev.kiln.cloud.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.artifact.baseline.Baseline;
import dev.kiln.artifact.baseline.BaselineFiles;
import dev.kiln.cloud.CloudService;
import dev.kiln.cloud.cli.MonitorCommand;
import dev.kiln.cloud.monitor.CaptureBaselines;
import dev.kiln.cloud.monitor.CaptureWindow;
import dev.kiln.cloud.monitor.Monitor;
import dev.kiln.cloud.monitor.MonitorLoop;
import dev.kiln.cloud.monitor.Scope;
import dev.kiln.cloud.monitor.Thresholds;
import dev.kiln.cloud.monitor.Traffic;
import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.error.ExitCode;
import dev.kiln.link.DeviceLink;
import dev.kiln.link.capture.CaptureConfig;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.Topics;
import dev.kiln.link.protocol.capture.CaptureRecord;
import dev.kiln.link.telemetry.AgentTelemetry;
import dev.kiln.link.transport.MqttTransport;
import dev.kiln.link.transport.TransportConfig;
import dev.kiln.testkit.FreePorts;
import dev.kiln.testkit.Mosquitto;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Drift monitoring with real parts: agents' device links publish captures to a real broker, the
 * ingestor stores them in DuckDB, checks read them back and publish alerts on the broker.
 */
class MonitorIT {
  private static final long MINUTE = 60_000;

  @TempDir Path tmp;

  /** Collects every message on the alert topics. */
  private static MqttTransport watchAlerts(String url, List<JsonNode> into) {
    MqttTransport t =
        new MqttTransport(
            TransportConfig.builder(url, "alert-watcher")
                .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
                .build());
    t.setMessageHandler(m -> into.add(ProtocolJson.mapper().readTree(m.payload())));
    t.keepSubscribed(List.of(Topics.allAlerts()), 1);
    t.start();
    await().atMost(Duration.ofSeconds(30)).until(t::subscribed);
    return t;
  }

  /** Captures records {@code from..to} of a phase through two devices' links, as agents do. */
  private static void send(
      List<DeviceLink> links, long seed, int from, int to, long tsMs, double shift) {
    for (int i = from; i < to; i++) {
      DeviceLink link = links.get(i % links.size());
      CaptureRecord r = Traffic.record(seed, i, null, "1", tsMs, shift);
      assertThat(link.recorder().capture(CaptureConfig.all(), () -> r)).isTrue();
    }
  }

  private static Set<String> inputFeatures(JsonNode alert) {
    return StreamSupport.stream(alert.get("violations").spliterator(), false)
        .map(v -> v.get("feature").asText())
        .filter(f -> f.startsWith("x"))
        .collect(Collectors.toSet());
  }

  @Test
  void cloudRunMonitor_staysQuietOnBaselineTraffic_andAlertsOnTheShiftedFeatureWithinOneWindow()
      throws Exception {
    CloudService.Options o =
        new CloudService.Options(
            null,
            tmp.resolve("cloud.duckdb"),
            "127.0.0.1",
            FreePorts.next(),
            tmp.resolve("broker"),
            false,
            "ingest-monitor",
            null,
            t -> t.backoff(Duration.ofMillis(50), Duration.ofMillis(500)));
    List<JsonNode> alerts = new CopyOnWriteArrayList<>();
    List<Monitor.Outcome> checks = new CopyOnWriteArrayList<>();
    try (CloudService cloud = CloudService.start(o);
        MqttTransport watcher = watchAlerts(cloud.brokerUrl(), alerts);
        DeviceLink a =
            DeviceLink.start(
                Fixtures.link("dev-a", cloud.brokerUrl(), tmp.resolve("a")),
                () -> AgentTelemetry.empty("t"));
        DeviceLink b =
            DeviceLink.start(
                Fixtures.link("dev-b", cloud.brokerUrl(), tmp.resolve("b")),
                () -> AgentTelemetry.empty("t"))) {
      List<DeviceLink> links = List.of(a, b);
      long start = System.currentTimeMillis();
      // Last hour's traffic, the baseline period; outside the monitor's window.
      send(links, 1, 0, 6_000, start - 60 * MINUTE, 0);
      awaitCaptures(cloud.store(), 6_000);
      Baseline baseline =
          CaptureBaselines.build(
              cloud.store(),
              new CaptureWindow(Traffic.MODEL, null, start - 2 * 60 * MINUTE, start - 30 * MINUTE),
              start);
      assertThat(baseline.records()).isEqualTo(6_000);

      cloud.startMonitor(
          new MonitorLoop.Settings(
              List.of(baseline),
              Duration.ofSeconds(1),
              Duration.ofMinutes(5),
              Thresholds.DEFAULTS,
              EnumSet.allOf(Scope.class)),
          checks::add);

      // Traffic from the baseline's distribution: checks see all of it and raise nothing.
      send(links, 2, 0, 2_000, System.currentTimeMillis(), 0);
      awaitCaptures(cloud.store(), 8_000);
      int seen = checks.size();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> checks.stream().skip(seen).anyMatch(c -> c.report().records() == 2_000));
      assertThat(checks).noneMatch(c -> c.report().drifted());
      assertThat(alerts).isEmpty();

      // x[2] moves by one standard deviation: within one window an alert names it, and only it
      // among the inputs.
      send(links, 3, 0, 2_000, System.currentTimeMillis(), 1.0);
      awaitCaptures(cloud.store(), 10_000);
      await().atMost(Duration.ofSeconds(30)).until(() -> !alerts.isEmpty());
      await().until(() -> alerts.stream().anyMatch(m -> m.get("scope").asText().equals("fleet")));
      for (JsonNode alert : alerts) {
        assertThat(alert.get("model").asText()).isEqualTo(Traffic.MODEL);
        assertThat(alert.get("type").asText()).isEqualTo("drift");
        assertThat(inputFeatures(alert)).containsExactly("x[2]");
      }
      assertThat(
              Fixtures.count(
                  cloud.store(),
                  "SELECT count(*) FROM drift_violations WHERE feature = 'x[2]' AND scope ="
                      + " 'fleet'"))
          .isPositive();
      assertThat(
              Fixtures.count(
                  cloud.store(),
                  "SELECT count(*) FROM drift_violations WHERE feature LIKE 'x%' AND feature <>"
                      + " 'x[2]'"))
          .isZero();
    }
  }

  private static void awaitCaptures(CaptureStore store, long n) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> Fixtures.count(store, "SELECT count(*) FROM captures") == n);
  }

  private record Run(int exit, String out) {}

  private static Run monitor(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new MonitorCommand());
    cli.setOut(new PrintWriter(out));
    int exit = cli.execute(args);
    return new Run(exit, out.toString());
  }

  @Test
  void monitorCheckCommand_exits25AndPublishesOnMosquitto_onlyWhenTrafficDrifted()
      throws Exception {
    Path db = tmp.resolve("cloud.duckdb");
    long t0 = System.currentTimeMillis() - 3 * 60 * MINUTE;
    try (CaptureStore store = CaptureStore.open(db)) {
      Traffic.insertMinute(store, 1, 6_000, t0, 0);
      Traffic.insertMinute(store, 2, 2_000, t0 + 60 * MINUTE, 0);
      Traffic.insertMinute(store, 3, 2_000, t0 + 120 * MINUTE, 0.75);
    }
    Path baseline = tmp.resolve("baseline.json");
    Run built =
        monitor(
            "baseline",
            "--db",
            db.toString(),
            "--model",
            Traffic.MODEL,
            "--until",
            java.time.Instant.ofEpochMilli(t0 + 30 * MINUTE).toString(),
            "--out",
            baseline.toString());
    assertThat(built.exit()).as(built.out()).isZero();
    assertThat(BaselineFiles.read(baseline).records()).isEqualTo(6_000);

    try (Mosquitto broker = Mosquitto.start(tmp.resolve("mosquitto"))) {
      List<JsonNode> alerts = new CopyOnWriteArrayList<>();
      try (MqttTransport watcher = watchAlerts(broker.url(), alerts)) {
        Run quiet = check(db, baseline, broker, t0 + 90 * MINUTE);
        assertThat(quiet.exit()).as(quiet.out()).isZero();
        assertThat(quiet.out()).contains("2000 records").contains("0 violations");

        Run drifted = check(db, baseline, broker, t0 + 150 * MINUTE);
        assertThat(drifted.exit()).as(drifted.out()).isEqualTo(ExitCode.DRIFT_DETECTED.number());
        assertThat(drifted.out()).contains("x[2]").contains("YES");
        // fleet, version 1, dev-0, dev-1
        await().atMost(Duration.ofSeconds(10)).until(() -> alerts.size() == 4);
        for (JsonNode alert : alerts) {
          assertThat(inputFeatures(alert)).containsExactly("x[2]");
        }
        assertThat(Thread.interrupted()).isFalse();
      }
    }

    Run status = monitor("status", "--db", db.toString(), "--json");
    assertThat(status.exit()).isZero();
    JsonNode rows = ProtocolJson.mapper().readTree(status.out());
    assertThat(rows.size()).isPositive();
    List<String> features = new ArrayList<>();
    rows.forEach(r -> features.add(r.get("feature").asText()));
    assertThat(features).contains("x[2]").allMatch(f -> f.equals("x[2]") || f.equals("output"));
    Run table = monitor("status", "--db", db.toString(), "--model", Traffic.MODEL);
    assertThat(table.out()).contains("measure").contains("x[2]").contains("psi");
  }

  private static Run check(Path db, Path baseline, Mosquitto broker, long untilMs) {
    return monitor(
        "check",
        "--db",
        db.toString(),
        "--baseline",
        baseline.toString(),
        "--window",
        "30m",
        "--until",
        java.time.Instant.ofEpochMilli(untilMs).toString(),
        "--broker",
        broker.url());
  }
}
