package dev.kiln.compiler.passes;

import static dev.kiln.compiler.ir.TestGraphs.ops;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.compiler.ir.OnnxModelIO;
import dev.kiln.compiler.ir.OpHistogram;
import dev.kiln.compiler.ir.OpSupport;
import dev.kiln.compiler.ir.OpsetCheck;
import dev.kiln.compiler.ir.OrtRunner;
import dev.kiln.compiler.ir.ShapeSpecializer;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.TensorProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The full pipeline on samples/models/cnn/cnn.onnx, which samples/generate.py exports unoptimized
 * on purpose (Conv+BatchNormalization pairs, an Identity, a foldable Constant*Constant bias, an
 * unused initializer), checked against the PyTorch reference outputs stored beside it.
 */
class CnnSamplePipelineIT {
  private static final Path CNN =
      Path.of(System.getProperty("kiln.repo.root", "..")).resolve("samples/models/cnn");

  @Test
  void standardPipeline_optimizesCnnSample_withoutChangingItsOutputs() throws Exception {
    Path model = CNN.resolve("cnn.onnx");
    Path reference = CNN.resolve("cnn.reference.json");
    Assumptions.assumeTrue(
        Files.exists(model) && Files.exists(reference),
        "skipped: " + model + " not generated (run /usr/bin/python3 samples/generate.py)");
    JsonNode ref = new ObjectMapper().readTree(reference.toFile());
    JsonNode in = ref.get("inputs").get("input");
    long[] shape = longs(in.get("shape"));
    float[] input = floats(in.get("data"));
    JsonNode expected = ref.get("outputs").get("output");

    ModelProto.Builder builder = OnnxModelIO.read(model).toBuilder();
    ShapeSpecializer.apply(builder, Map.of("input", shape));
    ModelProto original = builder.build();
    OpsetCheck.requireSupported(original, OpSupport.Target.CPU);
    assertThat(ops(original)).contains("BatchNormalization", "Identity", "Constant", "Mul");

    List<PassResult> results = PassPipeline.standard().run(builder);
    ModelProto optimized = builder.build();

    assertThat(ops(optimized))
        .containsExactly(
            "Conv", "Relu", "MaxPool", "Conv", "Relu", "GlobalAveragePool", "Flatten", "Gemm");
    assertThat(optimized.getGraph().getInitializerList())
        .extracting(TensorProto::getName)
        .doesNotContain("unused.calibration_table");
    assertThat(results)
        .filteredOn(PassResult::changed)
        .extracting(PassResult::pass)
        .contains(
            "IdentityElimination",
            "ConstantFolding",
            "BatchNormIntoConv",
            "UnusedInitializerRemoval");
    assertThat(OpHistogram.of(optimized).nodeCount()).isEqualTo(8);

    OrtRunner.Output out = OrtRunner.run(optimized, Map.of("input", input)).get("output");
    assertThat(out.shape()).containsExactly(longs(expected.get("shape")));
    double[] want = doubles(expected.get("data"));
    assertThat(OrtRunner.maxAbsDiff(want, out.values())).as("vs PyTorch").isLessThan(1e-4);
    OrtRunner.assertSameOutputs(original, optimized, 21);
  }

  private static long[] longs(JsonNode array) {
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asLong();
    }
    return out;
  }

  private static float[] floats(JsonNode array) {
    float[] out = new float[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) array.get(i).asDouble();
    }
    return out;
  }

  private static double[] doubles(JsonNode array) {
    double[] out = new double[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asDouble();
    }
    return out;
  }
}
