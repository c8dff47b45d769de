package dev.kiln.compiler.ir;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.TensorShapeProto;
import dev.kiln.compiler.ir.proto.ValueInfoProto;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Runs models through the real ONNX Runtime so tests can compare outputs before and after. */
public final class OrtRunner {
  /** An output tensor widened to double, with its shape. */
  public record Output(long[] shape, double[] values) {}

  private OrtRunner() {}

  /** Seeded uniform [-1, 1) float inputs for every real graph input (shapes must be static). */
  public static Map<String, float[]> randomInputs(ModelProto model, long seed) {
    Random rnd = new Random(seed);
    Map<String, float[]> inputs = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : inputShapes(model).entrySet()) {
      float[] v = new float[(int) Tensors.elementCount(e.getValue())];
      for (int i = 0; i < v.length; i++) {
        v[i] = rnd.nextFloat() * 2 - 1;
      }
      inputs.put(e.getKey(), v);
    }
    return inputs;
  }

  public static Map<String, long[]> inputShapes(ModelProto model) {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    var initializers = new java.util.HashSet<String>();
    model.getGraph().getInitializerList().forEach(t -> initializers.add(t.getName()));
    for (ValueInfoProto vi : model.getGraph().getInputList()) {
      if (initializers.contains(vi.getName())) {
        continue;
      }
      shapes.put(
          vi.getName(),
          vi.getType().getTensorType().getShape().getDimList().stream()
              .mapToLong(TensorShapeProto.Dimension::getDimValue)
              .toArray());
    }
    return shapes;
  }

  public static Map<String, Output> run(ModelProto model, Map<String, float[]> inputs) {
    Map<String, long[]> shapes = inputShapes(model);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      // Compare our rewrite with the model as written, not with ORT's own fusions of it.
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
      try (OrtSession session = env.createSession(model.toByteArray(), options)) {
        Map<String, OnnxTensor> feeds = new HashMap<>();
        try {
          for (Map.Entry<String, float[]> e : inputs.entrySet()) {
            feeds.put(
                e.getKey(),
                OnnxTensor.createTensor(
                    env, FloatBuffer.wrap(e.getValue()), shapes.get(e.getKey())));
          }
          try (OrtSession.Result result = session.run(feeds)) {
            Map<String, Output> out = new LinkedHashMap<>();
            for (Map.Entry<String, OnnxValue> e : result) {
              out.put(e.getKey(), widen((OnnxTensor) e.getValue()));
            }
            return out;
          }
        } finally {
          feeds.values().forEach(OnnxTensor::close);
        }
      }
    } catch (OrtException e) {
      throw new AssertionError("ONNX Runtime failed: " + e.getMessage(), e);
    }
  }

  /** Runs both models on the same seeded inputs and asserts every output matches within 1e-5. */
  public static void assertSameOutputs(ModelProto before, ModelProto after, long seed) {
    Map<String, float[]> inputs = randomInputs(before, seed);
    Map<String, Output> expected = run(before, inputs);
    Map<String, Output> actual = run(after, inputs);
    assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
    for (String name : expected.keySet()) {
      assertThat(actual.get(name).shape())
          .as("shape of " + name)
          .isEqualTo(expected.get(name).shape());
      assertThat(maxAbsDiff(expected.get(name).values(), actual.get(name).values()))
          .as("max abs diff of output " + name)
          .isLessThan(1e-5);
    }
  }

  public static double maxAbsDiff(double[] a, double[] b) {
    assertThat(b).hasSameSizeAs(a);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }

  private static Output widen(OnnxTensor t) {
    long[] shape = t.getInfo().getShape();
    double[] v;
    switch (t.getInfo().type) {
      case FLOAT -> {
        FloatBuffer b = t.getFloatBuffer();
        v = new double[b.remaining()];
        for (int i = 0; i < v.length; i++) {
          v[i] = b.get(i);
        }
      }
      case DOUBLE -> {
        DoubleBuffer b = t.getDoubleBuffer();
        v = new double[b.remaining()];
        b.get(v);
      }
      case INT64 -> {
        LongBuffer b = t.getLongBuffer();
        v = new double[b.remaining()];
        for (int i = 0; i < v.length; i++) {
          v[i] = b.get(i);
        }
      }
      case INT32 -> {
        IntBuffer b = t.getIntBuffer();
        v = new double[b.remaining()];
        for (int i = 0; i < v.length; i++) {
          v[i] = b.get(i);
        }
      }
      default -> throw new AssertionError("unexpected output type " + t.getInfo().type);
    }
    return new Output(shape, v);
  }
}
