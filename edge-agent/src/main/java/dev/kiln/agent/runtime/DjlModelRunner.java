package dev.kiln.agent.runtime;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A DJL model with a fixed pool of predictors: a DJL {@link Predictor} is not thread-safe, so each
 * call borrows one. Every NDArray lives in a per-call sub-manager that is closed before returning,
 * which is what keeps native memory flat under load.
 */
final class DjlModelRunner implements ModelRunner {
  private final ZooModel<NDList, NDList> model;
  private final RunnerSpec spec;
  private final BlockingQueue<Predictor<NDList, NDList>> pool;
  private final List<Predictor<NDList, NDList>> all = new ArrayList<>();
  private volatile boolean closed;

  DjlModelRunner(ZooModel<NDList, NDList> model, RunnerSpec spec) {
    this.model = model;
    this.spec = spec;
    int n = Math.max(1, spec.predictors());
    this.pool = new ArrayBlockingQueue<>(n);
    for (int i = 0; i < n; i++) {
      Predictor<NDList, NDList> p = model.newPredictor();
      all.add(p);
      pool.add(p);
    }
  }

  @Override
  public Map<String, Tensor> run(Map<String, Tensor> inputs) {
    if (closed) {
      throw new AgentException(AgentErrorCode.MODEL_NOT_READY, "model was unloaded; retry");
    }
    Predictor<NDList, NDList> predictor;
    try {
      predictor = pool.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AgentException(AgentErrorCode.SHUTTING_DOWN, "interrupted while queued");
    }
    try (NDManager manager = model.getNDManager().newSubManager()) {
      NDList in = new NDList();
      for (String name : spec.inputNames()) {
        Tensor t = inputs.get(name);
        if (t == null) {
          throw new AgentException(AgentErrorCode.INVALID_INPUT, "missing input '" + name + "'");
        }
        NDArray array =
            t.dtype() == DType.FLOAT32
                ? manager.create(t.floats(), new Shape(t.shape()))
                : manager.create(t.longs(), new Shape(t.shape()));
        array.setName(name);
        in.add(array);
      }
      NDList out = predictor.predict(in);
      Map<String, Tensor> result = new LinkedHashMap<>();
      for (int i = 0; i < out.size(); i++) {
        String name = i < spec.outputNames().size() ? spec.outputNames().get(i) : "output_" + i;
        result.put(name, toTensor(out.get(i)));
      }
      out.close();
      return result;
    } catch (TranslateException | RuntimeException e) {
      if (e instanceof AgentException a) {
        throw a;
      }
      throw new AgentException(
          AgentErrorCode.ENGINE_ERROR, "engine failed to run the model: " + e.getMessage(), e);
    } finally {
      pool.add(predictor);
    }
  }

  private static Tensor toTensor(NDArray array) {
    long[] shape = array.getShape().getShape();
    DataType type = array.getDataType();
    return switch (type) {
      case FLOAT32 -> Tensor.ofFloats(shape, array.toFloatArray());
      case INT64 -> Tensor.ofLongs(shape, array.toLongArray());
      case INT32 -> Tensor.ofLongs(shape, toLongs(array.toIntArray()));
      case FLOAT64 -> Tensor.ofFloats(shape, toFloats(array.toDoubleArray()));
      case INT8, BOOLEAN -> Tensor.ofLongs(shape, bytesToLongs(array.toByteBuffer(), 0xFFFF_FFFF));
      case UINT8 -> Tensor.ofLongs(shape, bytesToLongs(array.toByteBuffer(), 0xFF));
      case FLOAT16 -> Tensor.ofFloats(shape, halvesToFloats(array.toByteBuffer()));
      default ->
          throw new AgentException(
              AgentErrorCode.ENGINE_ERROR,
              "the model returned a " + type + " output, which the agent cannot send back");
    };
  }

  // The conversions below read the output's bytes instead of calling NDArray.toType: ONNX Runtime
  // arrays convert only through DJL's alternative engine (PyTorch), which the agent does not load.

  private static long[] bytesToLongs(ByteBuffer bytes, int mask) {
    long[] out = new long[bytes.remaining()];
    for (int i = 0; i < out.length; i++) {
      out[i] = bytes.get() & mask;
    }
    return out;
  }

  private static float[] halvesToFloats(ByteBuffer bytes) {
    ShortBuffer halves = bytes.order(ByteOrder.nativeOrder()).asShortBuffer();
    float[] out = new float[halves.remaining()];
    for (int i = 0; i < out.length; i++) {
      out[i] = halfToFloat(halves.get());
    }
    return out;
  }

  /** IEEE 754 binary16 to float (Float.float16ToFloat arrived only in Java 20). */
  static float halfToFloat(short half) {
    int sign = (half >>> 15) & 1;
    int exponent = (half >>> 10) & 0x1F;
    int fraction = half & 0x3FF;
    float magnitude;
    if (exponent == 0) {
      magnitude = fraction * 0x1p-24f;
    } else if (exponent == 0x1F) {
      magnitude = fraction == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
    } else {
      magnitude = Float.intBitsToFloat(((exponent + 112) << 23) | (fraction << 13));
    }
    return sign == 1 ? -magnitude : magnitude;
  }

  private static long[] toLongs(int[] values) {
    long[] out = new long[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  private static float[] toFloats(double[] values) {
    float[] out = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (float) values[i];
    }
    return out;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Predictor<NDList, NDList> p : all) {
      p.close();
    }
    model.close();
  }
}
