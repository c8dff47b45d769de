package dev.kiln.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.cli.CliRun;
import dev.kiln.cloud.store.CaptureStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main job, run as a user runs it: a real compile, the embedded broker, ingestor and
 * fleet console, two real agent processes and a canary rollout over MQTT, ending with every
 * prediction captured in DuckDB exactly once.
 */
class DemoIT {
  @TempDir Path tmp;

  @Test
  void demo_compilesServesAndCapturesEveryPrediction() throws Exception {
    Path dir = tmp.resolve("demo");

    CliRun run;
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    PrintStream stderr = System.err;
    // Library log lines would reach the console through System.out/err, not picocli's writers.
    System.setOut(new PrintStream(console, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(console, true, StandardCharsets.UTF_8));
    try {
      run = CliRun.of("demo", "--dir", dir.toString(), "--requests", "25");
    } finally {
      System.setOut(stdout);
      System.setErr(stderr);
    }

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    Path log = dir.resolve("kiln-demo.log");
    assertThat(run.out()).contains("Library log lines go to " + log);
    assertThat(log).content().contains("MqttTransport: connected to");
    assertThat(console.toString(StandardCharsets.UTF_8))
        .as("library log lines stay out of the demo's story")
        .doesNotContain("MqttTransport");
    assertThat(run.out())
        .contains("25 answered")
        .contains("PROMOTED: canary healthy")
        .contains("SUCCEEDED: cnn@1.1.0")
        .contains("demo-device-1")
        .contains("demo-device-2");
    Matcher captured =
        Pattern.compile("(\\d+) of (\\d+) predictions captured, each exactly once")
            .matcher(run.out());
    assertThat(captured.find()).as(run.out()).isTrue();
    long answered = Long.parseLong(captured.group(2));
    assertThat(captured.group(1)).isEqualTo(captured.group(2));
    assertThat(answered).as("the 25 plus traffic during the rollout").isGreaterThan(25);
    try (CaptureStore store = CaptureStore.openReadOnly(dir.resolve("cloud.duckdb"))) {
      long rows =
          store.read(
              c -> {
                try (var rs =
                    c.createStatement()
                        .executeQuery("SELECT count(*), count(DISTINCT id) FROM captures")) {
                  rs.next();
                  assertThat(rs.getLong(2)).isEqualTo(rs.getLong(1));
                  return rs.getLong(1);
                }
              });
      assertThat(rows).isEqualTo(answered);
      long versions =
          store.read(
              c -> {
                try (var rs =
                    c.createStatement()
                        .executeQuery(
                            "SELECT count(DISTINCT version) FROM captures"
                                + " WHERE version IN ('1.0.0', '1.1.0')")) {
                  rs.next();
                  return rs.getLong(1);
                }
              });
      assertThat(versions).as("predictions from before and after the canary").isEqualTo(2);
    }
  }
}
