package dev.kiln.compiler.passes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.compiler.ir.OnnxModelIO;
import dev.kiln.compiler.ir.OpHistogram;
import dev.kiln.compiler.ir.OpSupport;
import dev.kiln.compiler.ir.OpsetCheck;
import dev.kiln.compiler.ir.OrtRunner;
import dev.kiln.compiler.ir.ShapeSpecializer;
import dev.kiln.compiler.ir.proto.ModelProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every good sample model (including the git-ignored large ones when generated) through shape
 * specialization, the opset check and the full pipeline, compared with ONNX Runtime before/after.
 */
class SampleModelsPipelineIT {
  private static final Path SAMPLES =
      Path.of(System.getProperty("kiln.repo.root", "..")).resolve("samples/models");

  static Stream<Path> samples() throws Exception {
    if (!Files.isDirectory(SAMPLES)) {
      return Stream.of((Path) null);
    }
    List<Path> models;
    try (Stream<Path> walk = Files.walk(SAMPLES)) {
      models =
          walk.filter(p -> p.toString().endsWith(".onnx"))
              .filter(p -> !SAMPLES.relativize(p).startsWith("bad"))
              .sorted()
              .toList();
    }
    return models.isEmpty() ? Stream.of((Path) null) : models.stream();
  }

  @ParameterizedTest
  @MethodSource("samples")
  void pipeline_keepsOutputs(Path sample) {
    Assumptions.assumeTrue(sample != null, "skipped: no sample models generated");
    ModelProto.Builder builder = OnnxModelIO.read(sample).toBuilder();
    Map<String, long[]> shapes = new java.util.HashMap<>();
    for (String name : ShapeSpecializer.dynamicInputs(builder)) {
      var dims =
          builder.getGraph().getInputList().stream()
              .filter(v -> v.getName().equals(name))
              .findFirst()
              .orElseThrow()
              .getType()
              .getTensorType()
              .getShape()
              .getDimList();
      shapes.put(
          name, dims.stream().mapToLong(d -> d.hasDimValue() ? d.getDimValue() : 1).toArray());
    }
    ShapeSpecializer.apply(builder, shapes);
    ModelProto original = builder.build();
    OpsetCheck.requireSupported(original, OpSupport.Target.CPU);

    List<PassResult> results = PassPipeline.standard().run(builder);
    ModelProto optimized = builder.build();

    assertThat(OpHistogram.of(optimized).nodeCount())
        .isLessThanOrEqualTo(OpHistogram.of(original).nodeCount());
    assertThat(results).hasSize(5);
    OrtRunner.assertSameOutputs(original, optimized, 5);
  }
}
