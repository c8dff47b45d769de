package dev.kiln.compiler.quant;

import dev.kiln.compiler.ir.OpSupport;
import dev.kiln.compiler.ir.OpsetCheck;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.NodeProto;
import dev.kiln.compiler.ir.proto.TensorProto.DataType;
import java.util.ArrayList;
import java.util.List;

/**
 * The nvidia target's packaging check for fp16 artifacts: the model passes {@link OpsetCheck} for
 * ONNX Runtime's CUDA provider with no op falling back to the CPU, and every node that reads or
 * writes fp16 is an op whose CUDA kernel takes fp16.
 */
public final class CudaFp16Check {
  private CudaFp16Check() {}

  /** What would stop the model from running in fp16 on the GPU; empty when nothing does. */
  public static List<String> problems(ModelProto model) {
    List<String> problems = new ArrayList<>();
    OpsetCheck.Report report = OpsetCheck.check(model, OpSupport.Target.CUDA);
    report.errors().forEach(p -> problems.add(p.message()));
    problems.addAll(report.warnings());
    OpSupport cuda = OpSupport.load(OpSupport.Target.CUDA);
    ValueTypes types = ValueTypes.of(model.getGraph());
    for (NodeProto node : model.getGraph().getNodeList()) {
      if (!touchesFp16(node, types)) {
        continue;
      }
      String op = node.getOpType();
      if (!cuda.supports(node.getDomain(), op) || Fp16Plan.NO_CUDA_FP16.contains(op)) {
        problems.add(
            "node "
                + node.getName()
                + " ("
                + op
                + ") computes in fp16, but CUDA has no fp16 "
                + op);
      }
    }
    return problems;
  }

  private static boolean touchesFp16(NodeProto node, ValueTypes types) {
    for (String v : node.getInputList()) {
      if (!v.isEmpty() && types.get(v) == DataType.FLOAT16_VALUE) {
        return true;
      }
    }
    for (String v : node.getOutputList()) {
      if (!v.isEmpty() && types.get(v) == DataType.FLOAT16_VALUE) {
        return true;
      }
    }
    return false;
  }
}
