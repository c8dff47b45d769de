package dev.kiln.compiler.pipeline;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo;
import dev.kiln.compiler.ort.HostTensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Seeded inputs for verification and benchmarks: the same seed gives the same artifact. */
final class RandomInputs {
  private RandomInputs() {}

  static Map<String, HostTensor> make(Map<String, TensorInfo> inputs, long seed) {
    return make(inputs, seed, Map.of());
  }

  /**
   * @param sizes sizes for dims the model keeps dynamic, by input name (the user's --input-shape
   *     when ONNX Runtime refused them fixed); other dynamic dims are batch dims and get 1
   */
  static Map<String, HostTensor> make(
      Map<String, TensorInfo> inputs, long seed, Map<String, long[]> sizes) {
    Random random = new Random(seed);
    Map<String, HostTensor> out = new LinkedHashMap<>();
    inputs.forEach(
        (name, info) -> {
          long[] shape = info.getShape().clone();
          long[] given = sizes.get(name);
          int size = 1;
          for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
              // GeneratedInputShapes let through only batch dims without a size: one sample.
              shape[i] = given != null && given.length == shape.length ? given[i] : 1;
            }
            size = Math.multiplyExact(size, (int) shape[i]);
          }
          if (info.type == OnnxJavaType.FLOAT) {
            float[] values = new float[size];
            for (int i = 0; i < size; i++) {
              values[i] = (float) random.nextGaussian();
            }
            out.put(name, HostTensor.ofFloats(shape, values));
          } else if (info.type == OnnxJavaType.INT64) {
            long[] values = new long[size];
            for (int i = 0; i < size; i++) {
              values[i] = random.nextInt(10);
            }
            out.put(name, HostTensor.ofLongs(shape, values));
          } else {
            throw new CompileException(
                CompileErrorCode.UNSUPPORTED_MODEL,
                "input '"
                    + name
                    + "' has type "
                    + info.type
                    + "; Kiln verifies float32 and int64 inputs only");
          }
        });
    return out;
  }
}
