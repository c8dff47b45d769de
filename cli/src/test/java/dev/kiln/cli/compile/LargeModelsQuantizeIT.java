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
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * int8 resnet18 and mobilenet_v2 at 224x224 pass the accuracy gate with int8 kernels in the payload
 * and at most 0.3x the fp32 compiled size. The models come from samples/generate.py --large, as in
 * {@link LargeModelsCompileIT} (never skipped under CI=true). Their weights are seeded random, not
 * trained, and the calibration inputs are seeded normal noise: the test proves the path and the
 * gate, not ImageNet accuracy.
 */
class LargeModelsQuantizeIT {
  private static final long[] IMAGE = {1, 3, 224, 224};

  @TempDir Path tmp;

  @BeforeAll
  static void generateLargeModels() throws Exception {
    LargeModelsCompileIT.generateLargeModels();
  }

  @Test
  void resnet18Int8_passesTheGate_withQLinearKernels_atUnderAThirdOfTheSize() throws Exception {
    assertInt8("large/resnet18/resnet18.onnx");
  }

  @Test
  void mobilenetV2Int8_passesTheGate_withQLinearKernels_atUnderAThirdOfTheSize() throws Exception {
    assertInt8("large/mobilenet_v2/mobilenet_v2.onnx");
  }

  private void assertInt8(String model) throws Exception {
    // 20 samples: 16 calibrate, 4 are held out for the gate.
    Path data = CalibrationFiles.npy(tmp.resolve("images.npy"), IMAGE, 20, 7);
    Path out = tmp.resolve("m.kiln");

    CliRun run =
        CliRun.of(
            "compile",
            CliRun.sample(model).toString(),
            "--input-shape",
            "input:1x3x224x224",
            "--quantize",
            "int8",
            "--calibration-data",
            data.toString(),
            "--skip-benchmark",
            "--json",
            "-o",
            out.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode q = Json.MAPPER.readTree(run.out()).path("quantization");
    assertThat(q.path("shipped").asText()).isEqualTo("int8");
    assertThat(q.path("reducedPayloadBytes").asDouble())
        .isLessThanOrEqualTo(0.3 * q.path("fp32PayloadBytes").asDouble());
    Artifact artifact = Artifact.unpack(out, tmp.resolve("u"));
    artifact.verify(Map.of(), false);
    Manifest m = artifact.manifest();
    assertThat(m.quantization().gate().passed()).isTrue();
    // Random weights give near-equal logits: rows within the noise are ties, not judged (null
    // when all are); any judged row must agree.
    Double top1 = m.quantization().gate().top1Agreement();
    assertThat(top1 == null || top1 >= 0.99).as("top-1 agreement %s", top1).isTrue();
    assertThat(m.quantization().gate().sqnrDb()).isGreaterThanOrEqualTo(20);
    assertThat(m.quantization().heldOutSamples()).isEqualTo(4);
    Set<String> ops = PayloadOps.of(artifact);
    assertThat(ops).contains("com.microsoft::QLinearConv");
    assertThat(ops).noneMatch(op -> op.equals("Conv"));
    // Compiled on its own ISA, the int8 QDQ payload is final and ships as ORT format; it must
    // round-trip through the agent's own load path (memory-mapped) and pass the agent's check.
    assertThat(m.payload().format()).isEqualTo("ort");
    try (ModelRunner runner =
        new EngineRunnerFactory(1).load(RunnerSpec.fromManifest(m, artifact.payloadPath(), 1, 1))) {
      HealthCheck.Result check = HealthCheck.run(artifact.sample(), runner::run);
      assertThat(check.ok()).as(check.detail()).isTrue();
    }
  }
}
