package dev.kiln.compiler.ir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.kiln.compiler.ir.proto.ModelProto;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpSupportTest {
  @Test
  void lists_loadWithCommonOps() {
    OpSupport cpu = OpSupport.load(OpSupport.Target.CPU);
    assertThat(cpu.ops("")).contains("Conv", "Gemm", "MatMul", "Relu", "Reshape", "Softmax");
    assertThat(cpu.supports("ai.onnx", "BatchNormalization")).isTrue();
    assertThat(cpu.supports(OpsetCheck.ML_DOMAIN, "TreeEnsembleClassifier")).isTrue();
    assertThat(cpu.supports("", "FancyOp")).isFalse();
    assertThat(cpu.supports("my.domain", "Conv")).isFalse();
    assertThat(cpu.supports("", "Gelu", 19)).isFalse();
    assertThat(cpu.supports("", "Gelu", 20)).isTrue();
    assertThat(cpu.supports("", "Upsample", 9)).isTrue();
    assertThat(cpu.supports("", "Upsample", 10)).isFalse();
  }

  @Test
  void cudaList_isSubsetOfCpuList() {
    OpSupport cpu = OpSupport.load(OpSupport.Target.CPU);
    OpSupport cuda = OpSupport.load(OpSupport.Target.CUDA);
    assertThat(cpu.ops("")).containsAll(cuda.ops(""));
    assertThat(cuda.ops("")).contains("Conv", "MatMul").doesNotContain("Det");
  }

  @Test
  void target_parsesCliNames() {
    assertThat(OpSupport.Target.fromName("onnxruntime-cuda")).isEqualTo(OpSupport.Target.CUDA);
    assertThat(OpSupport.Target.fromName("CPU")).isEqualTo(OpSupport.Target.CPU);
    assertThatThrownBy(() -> OpSupport.Target.fromName("tpu")).hasMessageContaining("cpu, cuda");
  }

  @Test
  void everyListedOpAndRange_agreesWithOnnxRuntime() {
    // A misspelt op or a wrong opset range would make Kiln accept models ORT then refuses. ORT
    // says "No Op registered", "not a registered function/op" or "is deprecated" only when the
    // op does not exist in that opset; other load errors just mean the one-input probe node is
    // not well formed, which is fine here.
    OpSupport cpu = OpSupport.load(OpSupport.Target.CPU);
    List<String> wrong = new ArrayList<>();
    for (String domain : cpu.domains()) {
      long newest = domain.equals("ai.onnx") ? OpsetCheck.MAX_ONNX_OPSET : OpsetCheck.MAX_ML_OPSET;
      for (String op : cpu.ops(domain)) {
        long[] range = cpu.opsetRange(domain, op);
        long last = Math.min(range[1], newest);
        if (!knownAt(domain, op, last)) {
          wrong.add(domain + ":" + op + " should exist in opset " + last);
        }
        if (range[0] > 1 && !knownAt(domain, op, range[0])) {
          wrong.add(domain + ":" + op + " should exist from opset " + range[0]);
        }
        if (range[0] > 1 && knownAt(domain, op, range[0] - 1)) {
          wrong.add(domain + ":" + op + " already exists in opset " + (range[0] - 1));
        }
        if (range[1] < newest && knownAt(domain, op, range[1] + 1)) {
          wrong.add(domain + ":" + op + " still exists in opset " + (range[1] + 1));
        }
      }
    }
    assertThat(wrong).isEmpty();
  }

  private static boolean knownAt(String domain, String op, long opset) {
    boolean ml = !domain.equals("ai.onnx");
    TestGraphs g =
        TestGraphs.model(ml ? 17 : opset)
            .input("x", 2)
            .node(op, ml ? domain : "", List.of("x"), List.of("y"))
            .output("y");
    if (ml) {
      g.opset(domain, opset);
    }
    String error = loadError(g.build());
    return error == null
        || !(error.contains("No Op registered")
            || error.contains("not a registered")
            || error.contains("is deprecated"));
  }

  private static String loadError(ModelProto model) {
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        OrtSession s = OrtEnvironment.getEnvironment().createSession(model.toByteArray(), o)) {
      return null;
    } catch (OrtException e) {
      return e.getMessage();
    }
  }
}
