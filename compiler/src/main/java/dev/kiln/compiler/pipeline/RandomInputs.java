package dev.kiln.compiler.pipeline;

import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.ort.HostTensor;
import dev.kiln.compiler.ort.IoTensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Seeded inputs for verification and benchmarks: the same seed gives the same artifact. */
final class RandomInputs {
  private RandomInputs() {}

  static Map<String, HostTensor> make(Map<String, IoTensor> inputs, long seed) {
    return make(inputs, seed, Map.of());
  }

  /**
   * @param sizes sizes for dims the model keeps dynamic, by input name (the user's --input-shape
   *     when ONNX Runtime refused them fixed); other dynamic dims are batch dims and get 1
   */
  static Map<String, HostTensor> make(
      Map<String, IoTensor> inputs, long seed, Map<String, long[]> sizes) {
    Random random = new Random(seed);
    Map<String, HostTensor> out = new LinkedHashMap<>();
    inputs.forEach(
        (name, info) -> {
          long[] shape = info.shape().clone();
          long[] given = sizes.get(name);
          int size = 1;
          for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
              // GeneratedInputShapes let through only batch dims without a size: one sample.
              shape[i] = given != null && given.length == shape.length ? given[i] : 1;
            }
            size = Math.multiplyExact(size, (int) shape[i]);
          }
          if ("float32".equals(info.dtype())) {
            float[] values = new float[size];
            for (int i = 0; i < size; i++) {
              values[i] = (float) random.nextGaussian();
            }
            out.put(name, HostTensor.ofFloats(shape, values));
          } else if ("int64".equals(info.dtype())) {
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
                    + info.dtype()
                    + "; Kiln verifies float32 and int64 inputs only");
          }
        });
    return out;
  }
}
