package dev.kiln.compiler.ir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.TensorShapeProto;
import dev.kiln.compiler.ir.proto.ValueInfoProto;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShapeSpecializerTest {
  /** input [batch,3,4,4] -> Relu -> hidden [batch,3,4,4] -> Flatten -> output [batch,48]. */
  private static ModelProto.Builder model() {
    ModelProto.Builder m =
        TestGraphs.model(17)
            .symbolicInput("input", "batch", 3L, 4L, 4L)
            .node("Relu", List.of("input"), List.of("hidden"))
            .node("Flatten", List.of("hidden"), List.of("output"))
            .output("output")
            .builder();
    m.getGraphBuilder().addValueInfo(TestGraphs.tensorInfo("hidden", 1, -1, 3, 4, 4));
    m.getGraphBuilder().addValueInfo(TestGraphs.tensorInfo("static", 1, 2, 2));
    m.getGraphBuilder()
        .getOutputBuilder(0)
        .getTypeBuilder()
        .getTensorTypeBuilder()
        .getShapeBuilder()
        .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"))
        .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(48));
    return m;
  }

  private static List<Long> dims(ValueInfoProto vi) {
    return vi.getType().getTensorType().getShape().getDimList().stream()
        .map(d -> d.hasDimValue() ? d.getDimValue() : -1L)
        .toList();
  }

  @Test
  void apply_fixesDynamicDims_andClearsStaleValueInfo() {
    ModelProto.Builder m = model();
    var result = ShapeSpecializer.apply(m, Map.of("input", new long[] {2, 3, 4, 4}));
    assertThat(dims(m.getGraph().getInput(0))).containsExactly(2L, 3L, 4L, 4L);
    assertThat(dims(m.getGraph().getOutput(0))).containsExactly(2L, 48L);
    assertThat(m.getGraph().getValueInfo(0).getType().getTensorType().hasShape()).isFalse();
    assertThat(m.getGraph().getValueInfo(0).getType().getTensorType().getElemType()).isEqualTo(1);
    assertThat(dims(m.getGraph().getValueInfo(1))).containsExactly(2L, 2L);
    assertThat(result.valueInfoCleared()).isEqualTo(1);
    assertThat(result.inputShapes().get("input")).containsExactly(2, 3, 4, 4);
    assertThat(ShapeSpecializer.dynamicInputs(m)).isEmpty();
  }

  @Test
  void specializedModel_runsInOnnxRuntime() {
    ModelProto.Builder m = model();
    ShapeSpecializer.apply(m, Map.of("input", new long[] {2, 3, 4, 4}));
    ModelProto built = m.build();
    var out = OrtRunner.run(built, OrtRunner.randomInputs(built, 1));
    assertThat(out.get("output").shape()).containsExactly(2, 48);
  }

  @Test
  void apply_fails_whenInputUnknown_listingValidInputs() {
    assertThatThrownBy(() -> ShapeSpecializer.apply(model(), Map.of("image", new long[] {1})))
        .isInstanceOfSatisfying(
            IrException.class, e -> assertThat(e.code()).isEqualTo(IrErrorCode.BAD_INPUT_SHAPE))
        .hasMessage(
            "the shape for 'image' names no model input; the inputs are:"
                + " input: float32 [batch,3,4,4]");
  }

  @Test
  void apply_fails_whenRankDiffers() {
    assertThatThrownBy(() -> ShapeSpecializer.apply(model(), Map.of("input", new long[] {1, 3, 4})))
        .hasMessageContaining("input 'input' has rank 4 (input: float32 [batch,3,4,4])")
        .hasMessageContaining("1x3x4 has rank 3");
  }

  @Test
  void apply_fails_whenFixedDimConflicts() {
    assertThatThrownBy(
            () -> ShapeSpecializer.apply(model(), Map.of("input", new long[] {1, 1, 4, 4})))
        .isInstanceOfSatisfying(
            IrException.class, e -> assertThat(e.code()).isEqualTo(IrErrorCode.BAD_INPUT_SHAPE))
        .hasMessageContaining("dimension 1 is fixed to 3")
        .hasMessageContaining("input: float32 [batch,3,4,4]");
  }

  @Test
  void apply_fails_whenDimNotPositive() {
    assertThatThrownBy(
            () -> ShapeSpecializer.apply(model(), Map.of("input", new long[] {0, 3, 4, 4})))
        .hasMessageContaining("dimension 0 is 0; every dimension must be at least 1");
  }

  private static ModelProto.Builder twoInputs() {
    return TestGraphs.model(17)
        .symbolicInput("a", "batch", 8L)
        .symbolicInput("b", "batch", 8L)
        .node("Add", List.of("a", "b"), List.of("y"))
        .output("y")
        .builder();
  }

  @Test
  void apply_bindsSharedDimParams_acrossInputs() {
    ModelProto.Builder m = twoInputs();
    ShapeSpecializer.apply(m, Map.of("a", new long[] {4, 8}));
    assertThat(dims(m.getGraph().getInput(1))).containsExactly(4L, 8L);
  }

  @Test
  void apply_fails_whenSharedDimParamGetsTwoSizes() {
    var shapes = new java.util.LinkedHashMap<String, long[]>();
    shapes.put("a", new long[] {4, 8});
    shapes.put("b", new long[] {2, 8});
    assertThatThrownBy(() -> ShapeSpecializer.apply(twoInputs(), shapes))
        .hasMessageContaining("dimension 'batch' is set to both 4 and 2");
  }

  @Test
  void apply_setsShape_whenInputHasNone() {
    ModelProto.Builder m = model();
    m.getGraphBuilder().getInputBuilder(0).getTypeBuilder().getTensorTypeBuilder().clearShape();
    ShapeSpecializer.apply(m, Map.of("input", new long[] {1, 3, 4, 4}));
    assertThat(dims(m.getGraph().getInput(0))).containsExactly(1L, 3L, 4L, 4L);
  }

  @Test
  void describeInputs_skipsInitializerBackedInputs() {
    ModelProto.Builder m = model();
    m.getGraphBuilder().addInput(TestGraphs.tensorInfo("w", 1, 2));
    m.getGraphBuilder().addInitializer(Tensors.ofFloats("w", new long[] {2}, new float[2]));
    assertThat(ShapeSpecializer.describeInputs(m))
        .containsExactly(Map.entry("input", "input: float32 [batch,3,4,4]"));
    assertThat(ShapeSpecializer.dynamicInputs(m)).containsExactly("input");
  }
}
