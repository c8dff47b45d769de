package dev.kiln.cli.compile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.artifact.Json;
import dev.kiln.cli.CliRun;
import dev.kiln.compiler.ir.proto.AttributeProto;
import dev.kiln.compiler.ir.proto.GraphProto;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.NodeProto;
import dev.kiln.compiler.ir.proto.OperatorSetIdProto;
import dev.kiln.compiler.ir.proto.TensorProto;
import dev.kiln.compiler.ir.proto.TensorShapeProto;
import dev.kiln.compiler.ir.proto.TypeProto;
import dev.kiln.compiler.ir.proto.ValueInfoProto;
import dev.kiln.error.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shapes verification and the benchmark run at are real and stated: no made-up sizes for
 * dynamic dims, the source model's own failures called what they are, and fixed dims that ONNX
 * Runtime refuses kept dynamic. The models are built here, as ONNX protos.
 */
class HonestShapesTest {
  @TempDir Path tmp;

  @Test
  void dynamicImageSizeWithoutInputShape_stopsNamingTheDimsWithAnExample() throws IOException {
    CliRun run = compile(pooling(), "--json");

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.USAGE.number());
    assertThat(run.err())
        .contains("'height' (dim 2) of image", "'width' (dim 3) of image")
        .contains("--input-shape image:1x3x<height>x<width>")
        .contains("--calibration-data");
    assertThat(outputs()).isEmpty();
  }

  @Test
  void dynamicImageSize_takesTheDeviceProfilesDeclaredSizes_andTheReportSaysSo()
      throws IOException {
    CliRun run = compile(pooling(), "--device", "jetson-orin-nano", "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(report(run).get("inputShapes").asText())
        .isEqualTo(
            "image:1x3x480x640 (seeded random inputs; sizes from device profile jetson-orin-nano"
                + " (inputSizes: byRank.4=1x3x480x640, height=480, width=640))");
  }

  @Test
  void dimsInputShapeLeavesOut_getNoMadeUpSizeEither() throws IOException {
    CliRun run = compile(poolingAndSignal(), "--input-shape", "image:1x3x8x8", "--json");

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.USAGE.number());
    assertThat(run.err())
        .contains("'samples' (dim 1) of signal", "--input-shape signal:1x<samples>")
        .doesNotContain("of image");
    assertThat(outputs()).isEmpty();
  }

  @Test
  void givenSizes_areTheShapesVerificationAndBenchmarkUse_andTheReportSaysSo() throws IOException {
    CliRun run = compile(pooling(), "--input-shape", "image:1x3x64x64", "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(report(run).get("inputShapes").asText())
        .isEqualTo("image:1x3x64x64 (--input-shape)");
  }

  @Test
  void onlyABatchDimDynamic_isVerifiedAtOneSample_andTheReportSaysSo() throws IOException {
    CliRun run = compile(CliRun.sample("cnn/cnn.onnx"), "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(report(run).get("inputShapes").asText())
        .isEqualTo(
            "input:1x3x32x32 (seeded random inputs; dynamic batch dim 'batch' (dim 0) of input"
                + " set to 1)");
    CliRun table = compile(CliRun.sample("cnn/cnn.onnx"), "--force");
    assertThat(table.out()).contains("Shapes    input:1x3x32x32", "for verification and benchmark");
  }

  @Test
  void sourceFailingOnGeneratedInputs_saysSo_suggestsCalibrationData_withItsOwnExitCode()
      throws IOException {
    CliRun run = compile(reshapeByInput(), "--json");

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.SOURCE_MODEL_FAILED.number());
    assertThat(run.err())
        .contains("the source model itself fails", "generated inputs", "shape:3")
        .contains("--calibration-data")
        .doesNotContainIgnoringCase("unsupported model");
    assertThat(outputs()).isEmpty();
  }

  @Test
  void sourceFailingOnGeneratedInputs_compilesWithRealInputs() throws IOException {
    Path data = tmp.resolve("calibration.json");
    Files.writeString(
        data,
        """
        {"inputs": {
          "data": {"dtype": "float32", "shape": [1, 6], "data": [1, 2, 3, 4, 5, 6]},
          "shape": {"dtype": "int64", "shape": [3], "data": [1, 2, 3]}}}
        """);

    CliRun run = compile(reshapeByInput(), "--calibration-data", data.toString(), "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(report(run).get("inputShapes").asText())
        .isEqualTo("data:1x6, shape:3 (calibration data)");
  }

  @Test
  void fixedDimsOnnxRuntimeRejects_stayDynamic_andAreVerifiedAtTheGivenShapes() throws IOException {
    Path model = branches();
    CliRun run = compile(model, "--input-shape", "x:1x4", "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode report = report(run);
    assertThat(report.get("inputShapes").asText())
        .isEqualTo(
            "x:1x4 (--input-shape; dims kept dynamic: ONNX Runtime rejects the model with them"
                + " fixed)");
    assertThat(report.get("warnings").toString())
        .contains(
            "keeps them dynamic", "verification and the benchmark ran at the shapes you gave");
  }

  // --- models ---------------------------------------------------------------------------------

  /** image [batch, 3, height, width] -> GlobalAveragePool: only real sizes say anything. */
  private Path pooling() throws IOException {
    GraphProto.Builder g = GraphProto.newBuilder().setName("pooling");
    g.addInput(value("image", TensorProto.DataType.FLOAT_VALUE, "batch", 3L, "height", "width"));
    g.addNode(node("GlobalAveragePool", List.of("image"), List.of("pooled")));
    g.addOutput(value("pooled", TensorProto.DataType.FLOAT_VALUE, "batch", 3L, 1L, 1L));
    return save(g, "pooling.onnx");
  }

  /** {@link #pooling()} plus signal [batch, samples] -> Neg. */
  private Path poolingAndSignal() throws IOException {
    GraphProto.Builder g = GraphProto.newBuilder().setName("pooling-and-signal");
    g.addInput(value("image", TensorProto.DataType.FLOAT_VALUE, "batch", 3L, "height", "width"));
    g.addInput(value("signal", TensorProto.DataType.FLOAT_VALUE, "batch", "samples"));
    g.addNode(node("GlobalAveragePool", List.of("image"), List.of("pooled")));
    g.addNode(node("Neg", List.of("signal"), List.of("negated")));
    g.addOutput(value("pooled", TensorProto.DataType.FLOAT_VALUE, "batch", 3L, 1L, 1L));
    g.addOutput(value("negated", TensorProto.DataType.FLOAT_VALUE, "batch", "samples"));
    return save(g, "pooling-and-signal.onnx");
  }

  /**
   * Reshapes {@code data} [1, 6] to the shape given as an int64 input: valid only for shapes of six
   * elements, which random values almost never are (like a sample-rate input that must be 16000).
   */
  private Path reshapeByInput() throws IOException {
    GraphProto.Builder g = GraphProto.newBuilder().setName("reshape");
    g.addInput(value("data", TensorProto.DataType.FLOAT_VALUE, 1L, 6L));
    g.addInput(value("shape", TensorProto.DataType.INT64_VALUE, 3L));
    g.addNode(node("Reshape", List.of("data", "shape"), List.of("reshaped")));
    g.addOutput(
        ValueInfoProto.newBuilder()
            .setName("reshaped")
            .setType(
                TypeProto.newBuilder()
                    .setTensorType(
                        TypeProto.Tensor.newBuilder()
                            .setElemType(TensorProto.DataType.FLOAT_VALUE))));
    return save(g, "reshape.onnx");
  }

  /**
   * x [batch, n]; if sum(x) > 1e30 (never): reshape x to 2x3, else: -x. With x fixed at 1x4, ONNX
   * Runtime's load-time shape check of the branch that never runs fails (4 elements into 2x3); with
   * x dynamic it loads and runs.
   */
  private Path branches() throws IOException {
    GraphProto.Builder g = GraphProto.newBuilder().setName("branches");
    g.addInput(value("x", TensorProto.DataType.FLOAT_VALUE, "batch", "n"));
    g.addInitializer(floats("huge", 1e30f));
    g.addInitializer(longs("rows_of_three", -1, 3));
    g.addNode(
        node("ReduceSum", List.of("x"), List.of("sum"))
            .addAttribute(
                AttributeProto.newBuilder()
                    .setName("keepdims")
                    .setType(AttributeProto.AttributeType.INT)
                    .setI(0)));
    g.addNode(node("Greater", List.of("sum", "huge"), List.of("never")));
    GraphProto.Builder then = GraphProto.newBuilder().setName("then");
    then.addNode(node("Reshape", List.of("x", "rows_of_three"), List.of("then_out")));
    then.addOutput(value("then_out", TensorProto.DataType.FLOAT_VALUE, "a", "b"));
    GraphProto.Builder otherwise = GraphProto.newBuilder().setName("else");
    otherwise.addNode(node("Neg", List.of("x"), List.of("else_out")));
    otherwise.addOutput(value("else_out", TensorProto.DataType.FLOAT_VALUE, "a", "b"));
    g.addNode(
        node("If", List.of("never"), List.of("y"))
            .addAttribute(graphAttribute("then_branch", then))
            .addAttribute(graphAttribute("else_branch", otherwise)));
    g.addOutput(value("y", TensorProto.DataType.FLOAT_VALUE, "a", "b"));
    return save(g, "branches.onnx");
  }

  private static AttributeProto graphAttribute(String name, GraphProto.Builder graph) {
    return AttributeProto.newBuilder()
        .setName(name)
        .setType(AttributeProto.AttributeType.GRAPH)
        .setG(graph)
        .build();
  }

  private static NodeProto.Builder node(String op, List<String> inputs, List<String> outputs) {
    return NodeProto.newBuilder()
        .setOpType(op)
        .setName(op + "_" + outputs.get(0))
        .addAllInput(inputs)
        .addAllOutput(outputs);
  }

  /** Each dim a Long (fixed) or a String (symbolic). */
  private static ValueInfoProto value(String name, int elemType, Object... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (Object d : dims) {
      if (d instanceof String s) {
        shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(s));
      } else {
        shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue((Long) d));
      }
    }
    return ValueInfoProto.newBuilder()
        .setName(name)
        .setType(
            TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape)))
        .build();
  }

  private static TensorProto floats(String name, float value) {
    return TensorProto.newBuilder()
        .setName(name)
        .setDataType(TensorProto.DataType.FLOAT_VALUE)
        .addFloatData(value)
        .build();
  }

  private static TensorProto longs(String name, long... values) {
    TensorProto.Builder t =
        TensorProto.newBuilder()
            .setName(name)
            .setDataType(TensorProto.DataType.INT64_VALUE)
            .addDims(values.length);
    for (long v : values) {
      t.addInt64Data(v);
    }
    return t.build();
  }

  private Path save(GraphProto.Builder graph, String file) throws IOException {
    ModelProto model =
        ModelProto.newBuilder()
            .setIrVersion(7)
            .setProducerName("kiln-test")
            .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
            .setGraph(graph)
            .build();
    Path path = tmp.resolve(file);
    Files.write(path, model.toByteArray());
    return path;
  }

  // --- running --------------------------------------------------------------------------------

  private CliRun compile(Path model, String... args) {
    List<String> all = new ArrayList<>(List.of("compile", model.toString()));
    all.addAll(List.of(args));
    all.addAll(
        List.of(
            "--target", "x86_64", "-o", tmp.resolve("out").toString(), "--benchmark-runs", "5"));
    return CliRun.of(all.toArray(String[]::new));
  }

  private static JsonNode report(CliRun run) throws IOException {
    return Json.MAPPER.readTree(run.out());
  }

  private List<Path> outputs() throws IOException {
    Path out = tmp.resolve("out");
    if (!Files.isDirectory(out)) {
      return List.of();
    }
    try (var files = Files.list(out)) {
      return files.toList();
    }
  }
}
