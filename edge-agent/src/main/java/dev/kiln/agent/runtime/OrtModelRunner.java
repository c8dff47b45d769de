package dev.kiln.agent.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * One ONNX Runtime session, driven through ONNX Runtime's Java API. {@code OrtSession.run} is
 * thread-safe; a semaphore still admits only {@link RunnerSpec#predictors()} runs at once, because
 * the intra-op threads were sized for that many (see {@link InferenceThreads}).
 *
 * <p>Lifetime of the payload bytes: for an ORT-format payload the session reads its weights from
 * {@code mapping} (memory-mapped, used in place) for as long as it lives. The runner holds the
 * mapping and keeps it reachable until the session is closed; were the GC to unmap it earlier, the
 * next run would fault inside ONNX Runtime and crash the JVM. {@link #close} waits for runs in
 * flight before it closes the session, for the same reason.
 *
 * <p>Inputs are copied into native buffers kept from run to run ({@link InputBuffers}), which ONNX
 * Runtime reads in place. Handed a Java array, its Java API would allocate and zero a new direct
 * buffer per input and run (600 KB for a 224x224 image) and leave it for the collector to free.
 */
final class OrtModelRunner implements ModelRunner {
  private final OrtEnvironment env;
  private final OrtSession session;
  private final ByteBuffer mapping;
  private final RunnerSpec spec;
  private final Semaphore running;
  private final int permits;
  private final InputBuffers inputBuffers;
  private volatile boolean closed;

  /**
   * @param mapping the payload bytes the session uses in place; null when ONNX Runtime copied them
   */
  OrtModelRunner(OrtEnvironment env, OrtSession session, ByteBuffer mapping, RunnerSpec spec) {
    this.env = env;
    this.session = session;
    this.mapping = mapping;
    this.spec = spec;
    this.permits = Math.max(1, spec.predictors());
    this.running = new Semaphore(permits, true);
    this.inputBuffers = new InputBuffers(spec.inputNames().size(), permits);
  }

  @Override
  public Map<String, Tensor> run(Map<String, Tensor> inputs) {
    if (closed) {
      throw notReady();
    }
    try {
      running.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AgentException(AgentErrorCode.SHUTTING_DOWN, "interrupted while queued");
    }
    Map<String, OnnxTensor> in = new LinkedHashMap<>();
    ByteBuffer[] buffers = inputBuffers.take();
    try {
      if (closed) {
        throw notReady();
      }
      List<String> inputNames = spec.inputNames();
      for (int i = 0; i < inputNames.size(); i++) {
        String name = inputNames.get(i);
        Tensor t = inputs.get(name);
        if (t == null) {
          throw new AgentException(AgentErrorCode.INVALID_INPUT, "missing input '" + name + "'");
        }
        in.put(name, toOnnx(t, buffers, i));
      }
      try (OrtSession.Result out = session.run(in)) {
        Map<String, Tensor> result = new LinkedHashMap<>();
        List<String> names = spec.outputNames();
        for (int i = 0; i < out.size(); i++) {
          String name = i < names.size() ? names.get(i) : "output_" + i;
          result.put(name, toTensor(out.get(i)));
        }
        return result;
      }
    } catch (OrtException | RuntimeException e) {
      if (e instanceof AgentException a) {
        throw a;
      }
      throw new AgentException(
          AgentErrorCode.ENGINE_ERROR, "engine failed to run the model: " + e.getMessage(), e);
    } finally {
      in.values().forEach(OnnxTensor::close);
      inputBuffers.give(buffers);
      running.release();
    }
  }

  /** {@code t} copied into {@code buffers[i]} (grown when too small), read there by the engine. */
  private OnnxTensor toOnnx(Tensor t, ByteBuffer[] buffers, int i) throws OrtException {
    ByteBuffer room = InputBuffers.atLeast(buffers, i, (long) t.size() * t.dtype().bytes());
    if (t.dtype() == DType.FLOAT32) {
      FloatBuffer values = room.asFloatBuffer().put(t.floats()).flip();
      return OnnxTensor.createTensor(env, values, t.shape());
    }
    LongBuffer values = room.asLongBuffer().put(t.longs()).flip();
    return OnnxTensor.createTensor(env, values, t.shape());
  }

  /** The output's values in the agent's two dtypes; conversions as {@link DjlModelRunner} does. */
  private static Tensor toTensor(OnnxValue value) {
    if (!(value instanceof OnnxTensor tensor)) {
      throw new AgentException(
          AgentErrorCode.ENGINE_ERROR,
          "the model returned a " + value.getType() + ", which the agent cannot send back");
    }
    TensorInfo info = tensor.getInfo();
    long[] shape = info.getShape();
    return switch (info.onnxType) {
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT,
              ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16,
              ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16 ->
          // ONNX Runtime widens fp16 and bf16 to float32 itself.
          Tensor.ofFloats(shape, floats(tensor.getFloatBuffer()));
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE -> Tensor.ofFloats(shape, narrow(tensor));
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> Tensor.ofLongs(shape, longs(tensor));
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 -> Tensor.ofLongs(shape, widen(tensor));
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8, ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL ->
          Tensor.ofLongs(shape, bytes(tensor.getByteBuffer(), -1));
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 ->
          Tensor.ofLongs(shape, bytes(tensor.getByteBuffer(), 0xFF));
      default ->
          throw new AgentException(
              AgentErrorCode.ENGINE_ERROR,
              "the model returned a "
                  + info.onnxType
                  + " output, which the agent cannot send back");
    };
  }

  private static float[] floats(FloatBuffer buffer) {
    float[] out = new float[buffer.remaining()];
    buffer.get(out);
    return out;
  }

  private static float[] narrow(OnnxTensor tensor) {
    var doubles = tensor.getDoubleBuffer();
    float[] out = new float[doubles.remaining()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) doubles.get();
    }
    return out;
  }

  private static long[] longs(OnnxTensor tensor) {
    LongBuffer buffer = tensor.getLongBuffer();
    long[] out = new long[buffer.remaining()];
    buffer.get(out);
    return out;
  }

  private static long[] widen(OnnxTensor tensor) {
    var ints = tensor.getIntBuffer();
    long[] out = new long[ints.remaining()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ints.get();
    }
    return out;
  }

  /** Bytes as longs; {@code mask} -1 keeps the sign (int8, bool), 0xFF reads them unsigned. */
  private static long[] bytes(ByteBuffer buffer, int mask) {
    long[] out = new long[buffer.remaining()];
    for (int i = 0; i < out.length; i++) {
      out[i] = buffer.get() & mask;
    }
    return out;
  }

  private static AgentException notReady() {
    return new AgentException(AgentErrorCode.MODEL_NOT_READY, "model was unloaded; retry");
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    // Runs in flight still read the session (and the mapped weights): let them finish.
    running.acquireUninterruptibly(permits);
    try {
      session.close();
    } catch (OrtException e) {
      throw new AgentException(
          AgentErrorCode.ENGINE_ERROR, "ONNX Runtime failed to close the session", e);
    } finally {
      running.release(permits);
      // Only now may the GC unmap the payload the session read its weights from.
      Reference.reachabilityFence(mapping);
    }
  }
}
