package dev.kiln.compiler.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.artifact.Artifact;
import dev.kiln.artifact.Manifest;
import dev.kiln.compiler.ir.OnnxModelIO;
import dev.kiln.compiler.ir.TestGraphs;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.profile.DeviceProfiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sensitivity pass's success path: full int8 fails the accuracy gate because of one layer, the
 * pass finds that layer, keeps it in fp32, and the gate then passes; the report and the manifest
 * name it.
 *
 * <p>The model: {@code x -> conv_0 -> tanh_1 -> conv_2 -> relu_3 -> conv_4 -> relu_5 -> pool ->
 * flatten -> gemm}. conv_0's first output channel carries a bias of 1000, so its output spans about
 * [-4, 1001] while the seven other channels are ~N(0, 1): one uint8 range for the whole tensor
 * (activations are per tensor) has a step of ~4, which rounds those seven channels to a few levels
 * and wrecks everything after. Nothing else in the model is hard to quantize: tanh bounds the
 * values after it to [-1, 1]. The tensor is 8-bit only while conv_0 runs in int8 (Tanh has no int8
 * kernel), so keeping conv_0 alone in fp32 is the fix, and the pass must find exactly it.
 */
class SensitivityRevertTest {
  private static final int CHANNELS = 8;
  private static final int SIZE = 8;

  @TempDir Path tmp;

  @Test
  void gateFailsAtFullInt8_andPasses_onceTheOutlierLayerIsKeptFp32() throws IOException {
    Path model = tmp.resolve("outlier.onnx");
    OnnxModelIO.write(outlierModel(), model);
    Path data = calibration(tmp.resolve("cal.jsonl"), 40);
    List<String> heard = new ArrayList<>();
    ProgressListener listener =
        new ProgressListener() {
          @Override
          public void finished(CompileStage stage, String summary, long millis) {
            heard.add(stage + ": " + summary);
          }
        };
    CompileRequest request =
        CompileRequest.builder(model)
            .target("x86_64")
            .output(tmp.resolve("out"))
            .calibrationData(data)
            .skipBenchmark(true)
            .quantize(QuantizeOptions.of(QuantizeMode.INT8))
            .build();

    CompileReport report = new Compiler(DeviceProfiles.fromClasspath(), listener).compile(request);

    QuantizationReport q = report.quantization();
    assertThat(q.gate().passed()).isTrue();
    assertThat(q.shipped()).isEqualTo("int8");
    // Measured worst first: the outlier layer leads, by far.
    assertThat(q.worstNodes()).isNotEmpty();
    assertThat(q.worstNodes().get(0)).startsWith("conv_0 (Conv): SQNR +");
    assertThat(sensitivityKept(q.quantization())).containsExactly("conv_0");
    assertThat(q.quantization().keptFp32())
        .filteredOn(k -> k.node().equals("conv_0"))
        .singleElement()
        .satisfies(k -> assertThat(k.reason()).matches("sensitivity pass: \\+\\d+\\.\\d dB .*"));
    // Tanh stays fp32 for its own reason, not the pass's.
    assertThat(q.quantization().keptFp32())
        .filteredOn(k -> k.node().equals("tanh_1"))
        .singleElement()
        .satisfies(k -> assertThat(k.reason()).contains("no int8 kernel"));
    // The other convs stay int8.
    assertThat(q.quantization().ops())
        .filteredOn(op -> op.opType().equals("Conv"))
        .singleElement()
        .satisfies(op -> assertThat(op.counts()).containsEntry("int8", 2).containsEntry("fp32", 1));
    assertThat(heard)
        .anySatisfy(
            line -> assertThat(line).startsWith("QUANTIZE: ").contains("kept 1 nodes fp32"));

    Manifest m = Artifact.unpack(report.artifactPath(), tmp.resolve("unpacked")).manifest();
    assertThat(sensitivityKept(m.quantization())).containsExactly("conv_0");
  }

  private static List<String> sensitivityKept(Manifest.Quantization q) {
    return q.keptFp32().stream()
        .filter(k -> k.reason().startsWith("sensitivity pass"))
        .map(Manifest.KeptNode::node)
        .toList();
  }

  static ModelProto outlierModel() {
    float[] biasA = new float[CHANNELS];
    biasA[0] = 1000f;
    TestGraphs g =
        TestGraphs.model(13)
            .input("x", 1, CHANNELS, SIZE, SIZE)
            .output("logits")
            .floats("wa", new long[] {CHANNELS, CHANNELS, 3, 3}, weights(1, CHANNELS * 9))
            .floats("ba", new long[] {CHANNELS}, biasA)
            .floats("wb", new long[] {CHANNELS, CHANNELS, 3, 3}, weights(2, CHANNELS * 9))
            .floats("bb", new long[] {CHANNELS}, new float[CHANNELS])
            .floats("wc", new long[] {CHANNELS, CHANNELS, 3, 3}, weights(3, CHANNELS * 9))
            .floats("bc", new long[] {CHANNELS}, new float[CHANNELS])
            .floats("wf", new long[] {10, CHANNELS}, weights(4, CHANNELS, 10 * CHANNELS))
            .floats("bf", new long[] {10}, new float[10]);
    g.node("Conv", List.of("x", "wa", "ba"), List.of("a"), TestGraphs.ints("pads", 1, 1, 1, 1))
        .node("Tanh", List.of("a"), List.of("t"))
        .node("Conv", List.of("t", "wb", "bb"), List.of("b"), TestGraphs.ints("pads", 1, 1, 1, 1))
        .node("Relu", List.of("b"), List.of("rb"))
        .node("Conv", List.of("rb", "wc", "bc"), List.of("c"), TestGraphs.ints("pads", 1, 1, 1, 1))
        .node("Relu", List.of("c"), List.of("rc"))
        .node("GlobalAveragePool", List.of("rc"), List.of("p"))
        .node("Flatten", List.of("p"), List.of("f"))
        .node("Gemm", List.of("f", "wf", "bf"), List.of("logits"), TestGraphs.attr("transB", 1L));
    return g.build();
  }

  /** Normal weights with variance 1/fanIn, so every layer's outputs stay near unit scale. */
  private static float[] weights(long seed, int fanIn) {
    return weights(seed, fanIn, CHANNELS * fanIn);
  }

  private static float[] weights(long seed, int fanIn, int count) {
    Random random = new Random(seed);
    float[] w = new float[count];
    for (int i = 0; i < count; i++) {
      w[i] = (float) (random.nextGaussian() / Math.sqrt(fanIn));
    }
    return w;
  }

  /** {@code count} standard normal samples of x, as JSONL. */
  private static Path calibration(Path file, int count) throws IOException {
    Random random = new Random(11);
    StringBuilder out = new StringBuilder();
    int size = CHANNELS * SIZE * SIZE;
    for (int s = 0; s < count; s++) {
      out.append("{\"inputs\":{\"x\":{\"dtype\":\"float32\",\"shape\":[1,")
          .append(CHANNELS)
          .append(',')
          .append(SIZE)
          .append(',')
          .append(SIZE)
          .append("],\"data\":[");
      for (int i = 0; i < size; i++) {
        out.append(i == 0 ? "" : ",").append((float) random.nextGaussian());
      }
      out.append("]}}}\n");
    }
    Files.writeString(file, out);
    return file;
  }
}
