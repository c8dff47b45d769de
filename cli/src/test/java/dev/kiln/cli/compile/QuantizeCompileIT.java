package dev.kiln.cli.compile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.agent.runtime.EngineRunnerFactory;
import dev.kiln.agent.runtime.ModelRunner;
import dev.kiln.agent.runtime.RunnerSpec;
import dev.kiln.agent.serving.HealthCheck;
import dev.kiln.artifact.Artifact;
import dev.kiln.artifact.Json;
import dev.kiln.artifact.Manifest;
import dev.kiln.cli.CliRun;
import dev.kiln.compiler.ir.OnnxModelIO;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.TensorProto;
import dev.kiln.profile.Arch;
import dev.kiln.profile.HostCpu;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln compile --quantize} end to end on the committed samples: real ORT, real agent. */
class QuantizeCompileIT {
  private static final long[] CNN_SAMPLE = {1, 3, 32, 32};

  @TempDir Path tmp;

  @Test
  void cnnInt8_reportsWhetherInt8Pays_consistentlyWithTheMeasuredRatio() throws IOException {
    Path data = CalibrationFiles.jsonl(tmp.resolve("cal.jsonl"), "input", CNN_SAMPLE, 40, 1, 1, 1);
    Path out = tmp.resolve("cnn.kiln");

    CliRun run =
        compile(
            "cnn/cnn.onnx",
            out,
            "--quantize",
            "int8",
            "--calibration-data",
            data.toString(),
            "--benchmark-runs",
            "20",
            "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode report = Json.MAPPER.readTree(run.out());
    JsonNode q = report.path("quantization");
    assertThat(q.path("requested").asText()).isEqualTo("int8");
    assertThat(q.path("gate").path("passed").asBoolean()).isTrue();
    assertThat(q.path("quantization").path("method").asText()).isEqualTo("static-qdq");
    assertThat(q.path("quantization").path("heldOutSamples").asInt()).isEqualTo(8);
    assertThat(q.path("quantization").path("calibrationSamples").asInt()).isEqualTo(32);
    assertThat(q.path("quantization").path("calibration").asText()).isEqualTo("minmax");
    // Timing is not asserted: only that the decision follows the measured ratio and is told.
    double ratio = q.path("latencyRatio").asDouble();
    Manifest m = Artifact.unpack(out, tmp.resolve("u")).manifest();
    if (ratio <= 0.95) {
      assertThat(q.path("shipped").asText()).isEqualTo("int8");
      assertThat(m.quantization().precision()).isEqualTo("int8");
    } else {
      assertThat(q.path("shipped").asText()).isEqualTo("fp32");
      assertThat(q.path("decision").asText()).contains("int8 does not pay");
      assertThat(report.path("warnings").toString()).contains("int8 does not pay");
      assertThat(m.quantization()).isNull();
    }
  }

  @Test
  void cnnInt8_tableShowsSizesGateAndPerOpPrecision() throws IOException {
    Path data = CalibrationFiles.jsonl(tmp.resolve("cal.jsonl"), "input", CNN_SAMPLE, 20, 2, 1, 1);

    CliRun run =
        compile(
            "cnn/cnn.onnx",
            tmp.resolve("cnn.kiln"),
            "--quantize",
            "int8",
            "--calibration-data",
            data.toString(),
            "--skip-benchmark");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("Precision int8 requested, int8 shipped")
        .contains("Gate      PASS")
        .contains("fp32 compiled")
        .contains("not timed (--skip-benchmark)")
        // conv1 reads the RGB image (27 products per output): an fp32 stem, see QdqPlan.
        .containsPattern("Conv +1 +0 +1");
  }

  @Test
  void mlpDynamicInt8_loadsInTheAgentRuntime_andPassesItsSampleCheck() throws Exception {
    Path out = tmp.resolve("mlp.kiln");

    CliRun run =
        compile(
            "mlp/mlp.onnx",
            out,
            "--quantize",
            "int8",
            "--ship-slower-int8",
            "--benchmark-runs",
            "5");

    assertThat(run.exitCode()).as(run.err()).isZero();
    Artifact artifact = Artifact.unpack(out, tmp.resolve("u"));
    artifact.verify(Map.of(), false);
    Manifest m = artifact.manifest();
    assertThat(m.quantization().method()).isEqualTo("dynamic");
    assertThat(m.quantization().gate().passed()).isTrue();
    // x86_64 is this host's ISA: the int8 payload is final, so it ships in ORT format too.
    assertThat(m.payload().format()).isEqualTo("ort");
    assertThat(PayloadOps.of(artifact))
        .anyMatch(op -> op.contains("Integer") || op.contains("DynamicQuantize"));
    // The agent's own check, as it runs before the model takes traffic, on the agent's own load
    // path (the .ort memory-mapped, at the manifest's session options).
    try (ModelRunner model =
        new EngineRunnerFactory(1).load(RunnerSpec.fromManifest(m, artifact.payloadPath(), 1, 1))) {
      HealthCheck.Result check = HealthCheck.run(artifact.sample(), model::run);
      assertThat(check.ok()).as(check.detail()).isTrue();
    }
  }

  @Test
  void calibrationUnlikeTheHeldOutData_isRefusedByTheGate_withExit5NamingLayers() {
    Path data;
    try {
      // Calibrated on inputs 100x smaller than the held-out ones: ranges far too narrow.
      data = CalibrationFiles.jsonl(tmp.resolve("bad.jsonl"), "input", CNN_SAMPLE, 40, 3, 0.01, 1);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Path out = tmp.resolve("cnn.kiln");

    CliRun run =
        compile(
            "cnn/cnn.onnx",
            out,
            "--quantize",
            "int8",
            "--calibration-data",
            data.toString(),
            "--skip-benchmark");

    assertThat(run.exitCode()).as(run.err()).isEqualTo(5);
    assertThat(run.err())
        .contains("fails the accuracy gate on 8 held-out samples")
        .contains("Worst layers")
        .containsPattern("/\\w+/\\w+ \\((Conv|Gemm|Relu|MaxPool)\\): SQNR [+-]\\d")
        .contains("Nothing was written");
    assertThat(out).doesNotExist();
  }

  @Test
  void cnnInt8_percentileCalibration_isRecordedInManifestAndReport() throws IOException {
    Path data = CalibrationFiles.jsonl(tmp.resolve("cal.jsonl"), "input", CNN_SAMPLE, 20, 4, 1, 1);
    Path out = tmp.resolve("cnn-p.kiln");
    String[] options = {
      "--quantize",
      "int8",
      "--calibration-data",
      data.toString(),
      "--calibration-method",
      "percentile:99.9",
      "--ship-slower-int8",
      "--skip-benchmark"
    };

    CliRun table = compile("cnn/cnn.onnx", out, options);

    assertThat(table.exitCode()).as(table.err()).isZero();
    assertThat(table.out())
        .contains("percentile calibration (99.9% of |x|)")
        .contains("calibration: percentile:99.9 on 16 samples");
    Manifest m = Artifact.unpack(out, tmp.resolve("u")).manifest();
    assertThat(m.quantization().calibration()).isEqualTo("percentile:99.9");
    assertThat(m.quantization().scheme()).endsWith("percentile calibration (99.9% of |x|)");
  }

  @Test
  void staticInt8WithoutCalibrationData_isRefused_namingTheFix() {
    CliRun run = compile("cnn/cnn.onnx", tmp.resolve("cnn.kiln"), "--quantize", "int8");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--calibration-data").contains("--calibration-from");
  }

  @Test
  void cnnFp16_forNvidia_isPackagedWithFp16WeightsAndSaysItWasSimulated() throws IOException {
    Path out = tmp.resolve("cnn-fp16.kiln");

    CliRun run = compile("cnn/cnn.onnx", out, "--quantize", "fp16", "--target", "nvidia");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("fp16 simulated on CPU");
    Artifact artifact = Artifact.unpack(out, tmp.resolve("u"));
    artifact.verify(Map.of(), false);
    Manifest m = artifact.manifest();
    assertThat(m.target().accelerator()).isNotNull();
    assertThat(m.quantization().precision()).isEqualTo("fp16");
    assertThat(m.quantization().verifiedOn()).isEqualTo("fp16 simulated on CPU");
    assertThat(m.verification().method()).startsWith("fp16 simulated on CPU");
    assertThat(m.signature().inputs().get(0).dtype()).isEqualTo("float32");
    ModelProto payload = OnnxModelIO.read(artifact.payloadPath());
    assertThat(payload.getGraph().getInitializerList())
        .anyMatch(t -> t.getDataType() == TensorProto.DataType.FLOAT16_VALUE);
    assertThat(Files.size(artifact.payloadPath())).isLessThan(m.sizes().sourceBytes() * 6 / 10);
  }

  @Test
  void mlpDynamicInt8_forArm64_isJudgedAsTheDeviceComputesIt_onAnyX86Host() throws IOException {
    Path out = tmp.resolve("mlp-arm64.kiln");

    CliRun run =
        compile(
            "mlp/mlp.onnx",
            out,
            "--quantize",
            "int8",
            "--target",
            "arm64",
            "--ship-slower-int8",
            "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    Manifest m = Artifact.unpack(out, tmp.resolve("u")).manifest();
    // arm64 gets full-range int8 weights. On an x86 host without VNNI, ORT's default kernels
    // saturate on them (10.7 dB measured on an AMD EPYC); the gate must judge them as an arm64
    // device computes them (45 dB there, as on a VNNI host).
    assertThat(m.quantization().weights()).doesNotContain("7-bit");
    assertThat(m.quantization().gate().sqnrDb()).isGreaterThan(35);
    String warnings = Json.MAPPER.readTree(run.out()).path("warnings").toString();
    boolean hostSaturates =
        Arch.host() == Arch.X86_64
            && HostCpu.features().stream().noneMatch(f -> f.contains("vnni"));
    if (hostSaturates) {
      assertThat(warnings).contains("exact int8 kernels").contains("without VNNI");
    } else {
      assertThat(warnings).doesNotContain("exact int8 kernels");
    }
  }

  private static CliRun compile(String model, Path out, String... options) {
    String[] args = new String[5 + options.length];
    args[0] = "compile";
    args[1] = CliRun.sample(model).toString();
    args[2] = "-o";
    args[3] = out.toString();
    args[4] = "-q";
    System.arraycopy(options, 0, args, 5, options.length);
    return CliRun.of(args);
  }
}
