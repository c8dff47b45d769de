package dev.kiln.cli.loop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.artifact.Json;
import dev.kiln.cli.CliRun;
import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.testkit.RequiredTool;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln loop} end to end, as a user runs it: real compiles, the embedded broker, ingestor and
 * DuckDB, the fleet console, two kiln-agent processes, samples/retrain.py under the Debian python.
 * Version 2 must be promoted because its field accuracy on the drifted data was higher than version
 * 1's, which the test checks again from the store itself.
 */
class LoopIT {
  private static final RequiredTool TORCH_PYTHON =
      new RequiredTool(Path.of("/usr/bin/python3"), "python3-torch python3-onnx");

  @TempDir Path tmp;

  @Test
  void loop_detectsDrift_retrains_andPromotesVersion2_onHigherFieldAccuracy() throws Exception {
    TORCH_PYTHON.require();
    Path dir = tmp.resolve("loop");

    CliRun run;
    PrintStream stdout = System.out;
    PrintStream stderr = System.err;
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    System.setOut(new PrintStream(console, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(console, true, StandardCharsets.UTF_8));
    try {
      run = CliRun.of("loop", "--dir", dir.toString(), "--json");
    } finally {
      System.setOut(stdout);
      System.setErr(stderr);
    }

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    String out = run.out();
    JsonNode s = Json.MAPPER.readTree(out.substring(out.indexOf("\n{") + 1));

    // 3: drift detected on the shifted feature, and none before the shift.
    assertThat(s.path("driftDetected").asBoolean()).as(out).isTrue();
    assertThat(s.path("driftViolations").toString()).contains("fleet input[0] psi");
    assertThat(s.path("driftViolations").toString()).doesNotContain("input[1]");
    assertThat(s.path("baseWindowViolations")).isEmpty();
    // 9: promoted because version 2 was more accurate on the same drifted requests.
    double v1 = s.path("v1ShadowPhaseAccuracy").asDouble();
    double v2 = s.path("v2ShadowPhaseAccuracy").asDouble();
    assertThat(s.path("promoted").asBoolean()).as(out).isTrue();
    assertThat(v2).isGreaterThan(v1 + Promotion.MARGIN);
    assertThat(s.path("shadowPhaseLabelled").asLong())
        .isGreaterThanOrEqualTo(Promotion.MIN_LABELLED);
    // ... and the fleet's accuracy gate, on the agents' own field scores, let the canary through.
    assertThat(s.path("promotionGate").asText()).isEqualTo(RolloutSteps.ACCURACY_GATE.text());
    assertThat(s.path("gateNewAccuracy").asDouble())
        .as(s.path("gateFigures").asText())
        .isGreaterThan(s.path("gateOldAccuracy").asDouble());
    // 10: back under threshold against version 2's baseline.
    assertThat(s.path("driftAfter").asBoolean()).as(out).isFalse();
    assertThat(s.path("driftAfterViolations")).isEmpty();

    try (CaptureStore store = CaptureStore.openReadOnly(dir.resolve("cloud.duckdb"))) {
      // The accuracies of the decision, computed here from the captures and the labels sent.
      double[] acc = new double[2];
      long[] n = new long[2];
      store.read(
          c -> {
            try (ResultSet rs =
                c.createStatement()
                    .executeQuery(
                        "SELECT c.shadow, count(*), sum(CASE WHEN CAST(c.output_top AS VARCHAR)"
                            + " = f.label THEN 1 ELSE 0 END) FROM captures c JOIN feedback f"
                            + " USING (request_id) WHERE c.request_id LIKE 'loop-shadow-%'"
                            + " GROUP BY 1")) {
              while (rs.next()) {
                int k = rs.getBoolean(1) ? 1 : 0;
                n[k] = rs.getLong(2);
                acc[k] = rs.getDouble(3) / rs.getLong(2);
              }
            }
            return null;
          });
      assertThat(n[0]).isEqualTo(n[1]).isEqualTo(RolloutSteps.SHADOW_REQUESTS);
      assertThat(acc[0]).isCloseTo(v1, org.assertj.core.data.Offset.offset(1e-9));
      assertThat(acc[1]).isCloseTo(v2, org.assertj.core.data.Offset.offset(1e-9));
      // The detected drift was stored, as every check's violations are.
      long stored =
          store.read(
              c -> {
                try (ResultSet rs =
                    c.createStatement()
                        .executeQuery(
                            "SELECT count(*) FROM drift_violations WHERE feature = 'input[0]'"
                                + " AND version = '1'")) {
                  rs.next();
                  return rs.getLong(1);
                }
              });
      assertThat(stored).isPositive();
      // Every device runs version 2 as primary at the end: its serving captures came last.
      long afterV2 =
          store.read(
              c -> {
                try (ResultSet rs =
                    c.createStatement()
                        .executeQuery(
                            "SELECT count(*) FROM captures WHERE request_id LIKE 'loop-after-%'"
                                + " AND version = '2' AND NOT coalesce(shadow, false)")) {
                  rs.next();
                  return rs.getLong(1);
                }
              });
      assertThat(afterV2).isEqualTo(RolloutSteps.AFTER_REQUESTS);
    }
  }
}
