package dev.kiln.agent.serving;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.runtime.DType;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Manifest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Concatenating and splitting tensors along dim 0, for {@link DynamicBatcher}. */
final class TensorBatching {
  private TensorBatching() {}

  /** Whether every input and output of the signature has a dynamic (-1) dim 0. */
  static boolean batchable(Manifest.IoSignature signature) {
    if (signature == null || signature.inputs() == null || signature.outputs() == null) {
      return false;
    }
    List<Manifest.TensorSpec> all = new ArrayList<>(signature.inputs());
    all.addAll(signature.outputs());
    return !all.isEmpty()
        && all.stream()
            .allMatch(s -> s.shape() != null && !s.shape().isEmpty() && s.shape().get(0) < 0);
  }

  static long rows(Map<String, Tensor> inputs) {
    return inputs.values().stream().findFirst().map(Tensor::rows).orElse(1L);
  }

  /** Same input names, dtypes and dims after dim 0. */
  static boolean compatible(Map<String, Tensor> a, Map<String, Tensor> b) {
    if (!a.keySet().equals(b.keySet())) {
      return false;
    }
    for (var e : a.entrySet()) {
      Tensor x = e.getValue();
      Tensor y = b.get(e.getKey());
      if (x.dtype() != y.dtype()
          || x.shape().length == 0
          || x.shape().length != y.shape().length
          || !Arrays.equals(x.shape(), 1, x.shape().length, y.shape(), 1, y.shape().length)) {
        return false;
      }
    }
    return true;
  }

  static Map<String, Tensor> concat(List<Map<String, Tensor>> parts) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (String name : parts.get(0).keySet()) {
      List<Tensor> tensors = parts.stream().map(p -> p.get(name)).toList();
      out.put(name, concatTensors(tensors));
    }
    return out;
  }

  static Tensor concatTensors(List<Tensor> tensors) {
    Tensor first = tensors.get(0);
    long[] shape = first.shape().clone();
    shape[0] = tensors.stream().mapToLong(Tensor::rows).sum();
    int total = tensors.stream().mapToInt(Tensor::size).sum();
    int at = 0;
    if (first.dtype() == DType.FLOAT32) {
      float[] values = new float[total];
      for (Tensor t : tensors) {
        System.arraycopy(t.floats(), 0, values, at, t.size());
        at += t.size();
      }
      return Tensor.ofFloats(shape, values);
    }
    long[] values = new long[total];
    for (Tensor t : tensors) {
      System.arraycopy(t.longs(), 0, values, at, t.size());
      at += t.size();
    }
    return Tensor.ofLongs(shape, values);
  }

  /** Splits each output along dim 0 into pieces of {@code rows}. */
  static List<Map<String, Tensor>> split(Map<String, Tensor> outputs, long[] rows) {
    long total = Arrays.stream(rows).sum();
    List<Map<String, Tensor>> out = new ArrayList<>();
    for (int i = 0; i < rows.length; i++) {
      out.add(new LinkedHashMap<>());
    }
    for (var e : outputs.entrySet()) {
      Tensor t = e.getValue();
      if (t.shape().length == 0 || t.shape()[0] != total) {
        throw new AgentException(
            AgentErrorCode.ENGINE_ERROR,
            "output " + e.getKey() + " has dim 0 " + Arrays.toString(t.shape()) + ", not " + total);
      }
      int rowSize = (int) (t.size() / total);
      int at = 0;
      for (int i = 0; i < rows.length; i++) {
        long[] shape = t.shape().clone();
        shape[0] = rows[i];
        int n = (int) (rows[i] * rowSize);
        Tensor piece =
            t.dtype() == DType.FLOAT32
                ? Tensor.ofFloats(shape, Arrays.copyOfRange(t.floats(), at, at + n))
                : Tensor.ofLongs(shape, Arrays.copyOfRange(t.longs(), at, at + n));
        out.get(i).put(e.getKey(), piece);
        at += n;
      }
    }
    return out;
  }
}
