package dev.kiln.compiler.ir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.kiln.compiler.ir.proto.FunctionProto;
import dev.kiln.compiler.ir.proto.GraphProto;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.NodeProto;
import dev.kiln.compiler.ir.proto.OperatorSetIdProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class OpsetCheckTest {
  private static ModelProto relu(long opset) {
    return TestGraphs.model(opset)
        .input("x", 2)
        .node("Relu", List.of("x"), List.of("y"))
        .output("y")
        .build();
  }

  private static ModelProto withNode(String op, String domain) {
    return TestGraphs.model(17)
        .input("x", 2)
        .node(op, domain, List.of("x"), List.of("y"))
        .output("y")
        .build();
  }

  private static boolean ortLoads(ModelProto model) {
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        OrtSession s = OrtEnvironment.getEnvironment().createSession(model.toByteArray(), o)) {
      return true;
    } catch (OrtException e) {
      return false;
    }
  }

  @Test
  void opsetBounds_agreeWithOnnxRuntime() {
    long max = OpsetCheck.MAX_ONNX_OPSET;
    assertThat(ortLoads(relu(max))).as("ORT loads opset " + max).isTrue();
    assertThat(ortLoads(relu(max + 1))).as("ORT refuses opset " + (max + 1)).isFalse();
    assertThat(OpsetCheck.check(relu(max), OpSupport.Target.CPU).ok()).isTrue();
    assertThat(OpsetCheck.check(relu(max + 1), OpSupport.Target.CPU).ok()).isFalse();

    ModelProto ml = relu(17).toBuilder().addOpsetImport(ml(OpsetCheck.MAX_ML_OPSET)).build();
    ModelProto mlNext =
        relu(17).toBuilder().addOpsetImport(ml(OpsetCheck.MAX_ML_OPSET + 1)).build();
    assertThat(ortLoads(ml)).isTrue();
    assertThat(ortLoads(mlNext)).isFalse();
    assertThat(OpsetCheck.check(ml, OpSupport.Target.CPU).ok()).isTrue();
    assertThat(OpsetCheck.check(mlNext, OpSupport.Target.CPU).ok()).isFalse();
  }

  @Test
  void check_fails_whenOpsetTooNew() {
    assertThatThrownBy(() -> OpsetCheck.requireSupported(relu(23), OpSupport.Target.CPU))
        .isInstanceOfSatisfying(
            IrException.class, e -> assertThat(e.code()).isEqualTo(IrErrorCode.UNSUPPORTED_OPSET))
        .hasMessageContaining("opset 23")
        .hasMessageContaining("7..22")
        .hasMessageContaining("opset_version");
  }

  @Test
  void check_fails_whenOpsetTooOld() {
    assertThatThrownBy(() -> OpsetCheck.requireSupported(relu(6), OpSupport.Target.CPU))
        .isInstanceOfSatisfying(
            IrException.class, e -> assertThat(e.code()).isEqualTo(IrErrorCode.UNSUPPORTED_OPSET));
  }

  @Test
  void check_fails_whenNoDefaultOpset() {
    ModelProto model = relu(17).toBuilder().clearOpsetImport().addOpsetImport(ml(3)).build();
    assertThat(OpsetCheck.check(model, OpSupport.Target.CPU).errors())
        .extracting(OpsetCheck.Problem::message)
        .anyMatch(m -> m.contains("imports no ai.onnx opset"));
  }

  @Test
  void check_namesNodeOpAndDomain_whenOpUnknown() {
    assertThatThrownBy(
            () -> OpsetCheck.requireSupported(withNode("FancyOp", ""), OpSupport.Target.CPU))
        .isInstanceOfSatisfying(
            IrException.class, e -> assertThat(e.code()).isEqualTo(IrErrorCode.UNSUPPORTED_OP))
        .hasMessage(
            "node 'fancyop_0' uses op FancyOp (domain ai.onnx), which ONNX Runtime does not"
                + " implement; replace it or export with a different opset");
  }

  @Test
  void check_fails_whenOpNeedsNewerOpset() {
    ModelProto gelu =
        TestGraphs.model(17)
            .input("x", 2)
            .node("Gelu", List.of("x"), List.of("y"))
            .output("y")
            .build();
    assertThatThrownBy(() -> OpsetCheck.requireSupported(gelu, OpSupport.Target.CPU))
        .isInstanceOfSatisfying(
            IrException.class, e -> assertThat(e.code()).isEqualTo(IrErrorCode.UNSUPPORTED_OP))
        .hasMessageContaining("node 'gelu_0' uses op Gelu")
        .hasMessageContaining("only in opsets 20 and later")
        .hasMessageContaining("imports opset 17");
    assertThat(ortLoads(gelu)).isFalse();
  }

  @Test
  void check_rejectsBadSamples_whenPresent() {
    Path bad = Path.of(System.getProperty("kiln.repo.root", "..")).resolve("samples/models/bad");
    Path opset99 = bad.resolve("opset99.onnx");
    Path unsupported = bad.resolve("unsupported_op.onnx");
    Assumptions.assumeTrue(
        Files.exists(opset99) && Files.exists(unsupported), "samples/models/bad not generated");
    assertThat(OpsetCheck.check(OnnxModelIO.read(opset99), OpSupport.Target.CPU).errors())
        .extracting(OpsetCheck.Problem::code)
        .contains(IrErrorCode.UNSUPPORTED_OPSET);
    assertThat(OpsetCheck.check(OnnxModelIO.read(unsupported), OpSupport.Target.CPU).errors())
        .extracting(OpsetCheck.Problem::code)
        .containsAnyOf(IrErrorCode.UNSUPPORTED_OP, IrErrorCode.UNSUPPORTED_DOMAIN);
  }

  @Test
  void check_fails_whenCustomDomain() {
    ModelProto model =
        withNode("Bar", "my.ops").toBuilder().addOpsetImport(op("my.ops", 1)).build();
    var report = OpsetCheck.check(model, OpSupport.Target.CPU);
    assertThat(report.errors()).hasSize(1);
    assertThat(report.errors().get(0).code()).isEqualTo(IrErrorCode.UNSUPPORTED_DOMAIN);
    assertThat(report.errors().get(0).message()).contains("'my.ops'").contains("Bar");
  }

  @Test
  void check_allowsMicrosoftContribOps() {
    ModelProto model =
        withNode("Gelu", "com.microsoft").toBuilder()
            .addOpsetImport(op("com.microsoft", 1))
            .build();
    assertThat(OpsetCheck.check(model, OpSupport.Target.CPU).ok()).isTrue();
    assertThat(ortLoads(model)).isTrue();
  }

  @Test
  void check_allowsModelLocalFunctions_andChecksTheirBodies() {
    FunctionProto fn =
        FunctionProto.newBuilder()
            .setName("MyAct")
            .setDomain("local")
            .addInput("a")
            .addOutput("b")
            .addOpsetImport(op("", 17))
            .addNode(NodeProto.newBuilder().setOpType("Relu").addInput("a").addOutput("b"))
            .build();
    ModelProto ok =
        withNode("MyAct", "local").toBuilder()
            .addOpsetImport(op("local", 1))
            .addFunctions(fn)
            .build();
    assertThat(OpsetCheck.check(ok, OpSupport.Target.CPU).errors()).isEmpty();
    assertThat(ortLoads(ok)).isTrue();

    FunctionProto bad =
        fn.toBuilder().setNode(0, fn.getNode(0).toBuilder().setOpType("NoSuchOp")).build();
    ModelProto broken = ok.toBuilder().setFunctions(0, bad).build();
    assertThat(OpsetCheck.check(broken, OpSupport.Target.CPU).errors())
        .extracting(OpsetCheck.Problem::message)
        .anyMatch(m -> m.contains("function MyAct") && m.contains("NoSuchOp"));
  }

  @Test
  void check_looksInsideSubgraphs() {
    GraphProto body =
        GraphProto.newBuilder()
            .setName("then")
            .addNode(NodeProto.newBuilder().setName("deep").setOpType("Frobnicate").addOutput("t"))
            .addOutput(TestGraphs.tensorInfo("t", 1))
            .build();
    ModelProto model =
        TestGraphs.model(17)
            .input("x", 2)
            .node(
                "If",
                List.of("c"),
                List.of("y"),
                TestGraphs.graph("then_branch", body),
                TestGraphs.graph("else_branch", body))
            .output("y")
            .build();
    assertThat(OpsetCheck.check(model, OpSupport.Target.CPU).errors())
        .extracting(OpsetCheck.Problem::message)
        .anyMatch(m -> m.contains("node 'if_0' > node 'deep'") && m.contains("Frobnicate"));
  }

  @Test
  void cudaTarget_warnsAboutCpuFallback_butDoesNotFail() {
    ModelProto model = withNode("Det", "");
    var report = OpsetCheck.check(model, OpSupport.Target.CUDA);
    assertThat(report.ok()).isTrue();
    assertThat(report.warnings()).singleElement().asString().contains("Det").contains("CPU");
    assertThat(OpsetCheck.check(model, OpSupport.Target.CPU).warnings()).isEmpty();
  }

  private static OperatorSetIdProto ml(long v) {
    return op(OpsetCheck.ML_DOMAIN, v);
  }

  private static OperatorSetIdProto op(String domain, long v) {
    return OperatorSetIdProto.newBuilder().setDomain(domain).setVersion(v).build();
  }
}
