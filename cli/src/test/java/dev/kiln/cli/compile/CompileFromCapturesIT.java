package dev.kiln.cli.compile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.artifact.Artifact;
import dev.kiln.artifact.Json;
import dev.kiln.cli.CliRun;
import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.error.ExitCode;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.capture.CaptureBatchCodec;
import dev.kiln.link.protocol.capture.CaptureRecord;
import dev.kiln.link.protocol.capture.CaptureTensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln compile --calibration-from DB}: a real DuckDB store filled the way the product fills
 * it (capture records as the agent makes them, through the wire codec, into the store's own
 * insert), then the sample CNN compiled on those captures.
 */
class CompileFromCapturesIT {
  @TempDir Path tmp;

  /** A 1x3x32x32 image of standard-normal values, like the CNN's reference input. */
  private static float[] image(int seed) {
    Random random = new Random(seed);
    float[] values = new float[3 * 32 * 32];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) random.nextGaussian();
    }
    return values;
  }

  private static CaptureRecord capture(
      int i, String model, String version, boolean shadow, boolean truncated, boolean inputs) {
    CaptureTensor input = CaptureTensor.ofFloats("input", new long[] {1, 3, 32, 32}, image(i));
    CaptureTensor output = CaptureTensor.ofFloats("output", new long[] {1, 10}, new float[10]);
    CaptureRecord r =
        CaptureRecord.of(
            model,
            version,
            "fp32",
            1.5,
            inputs ? List.of(truncated ? input.withoutData() : input) : List.of(),
            List.of(truncated ? output.withoutData() : output),
            shadow);
    // As the device link stamps it; timestamps one second apart so "newest" is well defined.
    return new CaptureRecord(
        r.schema(),
        r.id(),
        "cam-1",
        r.model(),
        r.version(),
        r.variant(),
        1_767_225_600_000L + i * 1000L,
        r.latencyMs(),
        r.inputs(),
        r.outputs(),
        r.shadow(),
        truncated,
        "req-" + i);
  }

  /** Through the wire format (gzip NDJSON batch) into the store, as the ingestor does. */
  private static void ingest(Path db, List<CaptureRecord> records) throws Exception {
    List<byte[]> lines = new ArrayList<>();
    for (CaptureRecord r : records) {
      lines.add(ProtocolJson.write(r));
    }
    List<CaptureRecord> received = new ArrayList<>();
    for (byte[] line : CaptureBatchCodec.decode(CaptureBatchCodec.encode(lines))) {
      received.add(ProtocolJson.read(line, CaptureRecord.class));
    }
    try (CaptureStore store = CaptureStore.open(db)) {
      store.insertCaptures(received, "batch-1");
    }
  }

  @Test
  void compile_verifiesOnTheNewestServingCaptures_andSaysWhatItSkipped() throws Exception {
    Path db = tmp.resolve("cloud/kiln-cloud.duckdb");
    List<CaptureRecord> records = new ArrayList<>();
    for (int i = 0; i < 14; i++) {
      records.add(capture(i, "cnn", i < 2 ? "1" : "2", false, false, true));
    }
    records.add(capture(20, "cnn", "2", true, false, true));
    records.add(capture(21, "cnn", "2", true, false, true));
    records.add(capture(22, "cnn", "2", false, true, true));
    records.add(capture(23, "cnn", "2", false, false, false));
    records.add(capture(24, "mlp", "1", false, false, true));
    ingest(db, records);
    Path out = tmp.resolve("cnn.kiln");

    CliRun run =
        CliRun.of(
            "compile",
            CliRun.sample("cnn/cnn.onnx").toString(),
            "--target",
            "x86_64",
            "--calibration-from",
            db.toString(),
            "--model-version",
            "2",
            "--limit",
            "10",
            "--skip-benchmark",
            "-o",
            out.toString(),
            "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err())
        .contains("10 captured inputs of model 'cnn' version 2")
        .contains("the newest of 12 usable")
        .contains("skipped 1 truncated", "2 shadow", "1 without inputs")
        .contains("too few to calibrate");
    JsonNode report = Json.MAPPER.readTree(run.out());
    assertThat(report.at("/verification/samples").asInt()).isEqualTo(10);
    assertThat(report.get("inputShapes").asText()).isEqualTo("input:1x3x32x32 (calibration data)");
    // The newest 10 of version 2 are captures 4..13, written oldest first: the artifact's
    // verification sample is capture 4's input, bit for bit.
    Artifact artifact = Artifact.unpack(out, tmp.resolve("unpacked"));
    assertThat(artifact.sample().inputs().get("input").floats()).containsExactly(image(4));
    assertThat(report.get("warnings").toString()).doesNotContain("looks unlike");
  }

  @Test
  void capturesThatLookUnlikeTheModelsReferenceInputs_areReported() throws Exception {
    Path db = tmp.resolve("pixels.duckdb");
    List<CaptureRecord> records = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      CaptureRecord r = capture(i, "cnn", "1", false, false, true);
      float[] pixels = new float[3 * 32 * 32];
      for (int k = 0; k < pixels.length; k++) {
        pixels[k] = (k * 7 + i) % 256;
      }
      records.add(
          new CaptureRecord(
              r.schema(),
              r.id(),
              r.deviceId(),
              r.model(),
              r.version(),
              r.variant(),
              r.timestampMs(),
              r.latencyMs(),
              List.of(CaptureTensor.ofFloats("input", new long[] {1, 3, 32, 32}, pixels)),
              r.outputs(),
              false,
              false,
              r.requestId()));
    }
    ingest(db, records);

    CliRun run =
        CliRun.of(
            "compile",
            CliRun.sample("cnn/cnn.onnx").toString(),
            "--target",
            "x86_64",
            "--calibration-from",
            db.toString(),
            "--skip-benchmark",
            "-o",
            tmp.resolve("px.kiln").toString(),
            "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("input 'input' looks unlike the model's reference inputs");
  }

  @Test
  void aModelWithoutCaptures_stopsWithExit2_namingTheModelsThatHaveThem() throws Exception {
    Path db = tmp.resolve("few.duckdb");
    ingest(db, List.of(capture(1, "mlp", "1", false, false, true)));

    CliRun run =
        CliRun.of(
            "compile",
            CliRun.sample("cnn/cnn.onnx").toString(),
            "--target",
            "x86_64",
            "--calibration-from",
            db.toString(),
            "-o",
            tmp.resolve("none.kiln").toString());

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.USAGE.number());
    assertThat(run.err())
        .contains("no usable captured inputs of model 'cnn'")
        .contains("Models with captures: mlp")
        .contains("--calibration-data");
    assertThat(tmp.resolve("none.kiln")).doesNotExist();
  }

  @Test
  void captureOptions_withoutCalibrationFrom_orWithCalibrationData_areUsageErrors() {
    CliRun alone = CliRun.of("compile", CliRun.sample("cnn/cnn.onnx").toString(), "--model", "cnn");
    CliRun both =
        CliRun.of(
            "compile",
            CliRun.sample("cnn/cnn.onnx").toString(),
            "--calibration-from",
            "x.duckdb",
            "--calibration-data",
            CliRun.sample("cnn/cnn.reference.json").toString());

    assertThat(alone.exitCode()).isEqualTo(ExitCode.USAGE.number());
    assertThat(alone.err()).contains("add --calibration-from");
    assertThat(both.exitCode()).isEqualTo(ExitCode.USAGE.number());
    assertThat(both.err()).contains("not both");
  }
}
