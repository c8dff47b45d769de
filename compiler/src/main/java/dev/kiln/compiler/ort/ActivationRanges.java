package dev.kiln.compiler.ort;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.TensorProto;
import dev.kiln.compiler.ir.proto.TypeProto;
import dev.kiln.compiler.ir.proto.ValueInfoProto;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Calibration: what values the float tensors inside a model take on real inputs. The named tensors
 * become extra graph outputs and ONNX Runtime runs the model without optimizations (so every named
 * tensor still exists) over the samples one at a time; only the statistics are kept.
 */
public final class ActivationRanges {
  private ActivationRanges() {}

  /**
   * @param tensors names of float tensors computed by the graph (or graph inputs)
   * @return statistics per tensor name, for every name in {@code tensors}
   * @throws IllegalStateException when ONNX Runtime cannot load or run the model on a sample
   */
  public static Map<String, TensorStats> collect(
      ModelProto model, Set<String> tensors, List<Map<String, HostTensor>> samples) {
    Map<String, TensorStats> stats = new LinkedHashMap<>();
    tensors.forEach(t -> stats.put(t, new TensorStats()));
    for (Map<String, HostTensor> sample : samples) {
      for (Map.Entry<String, HostTensor> input : sample.entrySet()) {
        if (stats.containsKey(input.getKey())) {
          stats.get(input.getKey()).add((float[]) input.getValue().values());
        }
      }
    }
    try (OrtSession session =
        OrtSessions.open(exposed(model, tensors).toByteArray(), OptLevel.NO_OPT, 2)) {
      for (Map<String, HostTensor> sample : samples) {
        for (Map.Entry<String, HostTensor> out : OrtSessions.run(session, sample).entrySet()) {
          TensorStats s = stats.get(out.getKey());
          if (s != null && out.getValue().values() instanceof float[] f) {
            s.add(f);
          }
        }
      }
    } catch (OrtException e) {
      throw new IllegalStateException("calibration run failed: " + e.getMessage(), e);
    }
    return stats;
  }

  /** The model with each named tensor (not already an output or input) as a graph output. */
  static ModelProto exposed(ModelProto model, Set<String> tensors) {
    Set<String> present = new HashSet<>();
    model.getGraph().getOutputList().forEach(o -> present.add(o.getName()));
    model.getGraph().getInputList().forEach(i -> present.add(i.getName()));
    ModelProto.Builder builder = model.toBuilder();
    TypeProto floatType =
        TypeProto.newBuilder()
            .setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE))
            .build();
    for (String name : tensors) {
      if (present.add(name)) {
        builder
            .getGraphBuilder()
            .addOutput(ValueInfoProto.newBuilder().setName(name).setType(floatType));
      }
    }
    return builder.build();
  }
}
