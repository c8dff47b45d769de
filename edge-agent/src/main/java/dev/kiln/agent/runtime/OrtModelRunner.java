package dev.kiln.agent.runtime;

import ai.onnxruntime.NodeInfo;
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
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

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
 * <p>A run that finds no other in the runner may take every permit and run on a session with all
 * the predictors' threads ({@link LoneRuns}), where that was measured to pay.
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
  private final LoneRuns lone;
  private final IntSupplier requestsInFlight;
  private final AtomicInteger inside = new AtomicInteger();
  private volatile boolean closed;

  /**
   * @param mapping the payload bytes the session uses in place; null when ONNX Runtime copied them
   * @param wide how to make a session with every predictor's threads for runs alone ({@link
   *     LoneRuns}); null for none
   */
  OrtModelRunner(
      OrtEnvironment env, OrtSession session, ByteBuffer mapping, RunnerSpec spec, Wide wide) {
    this.env = env;
    this.requestsInFlight = wide == null ? () -> 0 : wide.requestsInFlight();
    this.lone =
        wide == null
            ? null
            : new LoneRuns(
                spec.payload().getFileName().toString(),
                wide.threads(),
                wide.create(),
                this::warm,
                wide.minLoneNanos());
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
    boolean alone = inside.getAndIncrement() == 0 && requestsInFlight.getAsInt() <= 1;
    try {
      OrtSession wide = null;
      int taken = 1;
      if (alone && lone != null && lone.session() != null && running.tryAcquire(permits)) {
        taken = permits;
        // Read again holding every permit: only a run on it closes it (LoneRuns), none runs now.
        wide = lone.session();
      } else {
        try {
          running.acquire();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AgentException(AgentErrorCode.SHUTTING_DOWN, "interrupted while queued");
        }
      }
      try {
        return runOn(wide != null ? wide : session, inputs, alone, wide != null);
      } finally {
        running.release(taken);
      }
    } finally {
      inside.decrementAndGet();
    }
  }

  /** One engine call, the caller holding its permits; a lone run's engine time is reported. */
  private Map<String, Tensor> runOn(
      OrtSession target, Map<String, Tensor> inputs, boolean alone, boolean onWide) {
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
      long start = System.nanoTime();
      long engineNanos;
      Map<String, Tensor> result = new LinkedHashMap<>();
      try (OrtSession.Result out = target.run(in)) {
        engineNanos = System.nanoTime() - start;
        List<String> names = spec.outputNames();
        for (int i = 0; i < out.size(); i++) {
          String name = i < names.size() ? names.get(i) : "output_" + i;
          result.put(name, toTensor(out.get(i)));
        }
      }
      if (alone && lone != null) {
        // After the outputs are copied out and released: this may close the wide session.
        lone.timed(onWide, engineNanos);
      }
      return result;
    } catch (OrtException | RuntimeException e) {
      if (e instanceof AgentException a) {
        throw a;
      }
      throw new AgentException(
          AgentErrorCode.ENGINE_ERROR, "engine failed to run the model: " + e.getMessage(), e);
    } finally {
      in.values().forEach(OnnxTensor::close);
      inputBuffers.give(buffers);
    }
  }

  /** A session with {@code threads} intra-op threads for runs alone, made when asked. */
  record Wide(
      int threads, IntSupplier requestsInFlight, long minLoneNanos, Callable<OrtSession> create) {}

  /**
   * Runs a fresh session {@code times} on zeros shaped as its inputs (dynamic dims as 1), holding
   * every permit so that no request runs beside it.
   */
  private void warm(OrtSession fresh, int times) throws OrtException {
    running.acquireUninterruptibly(permits);
    try {
      if (closed) {
        return;
      }
      Map<String, Tensor> zeros = new LinkedHashMap<>();
      for (Map.Entry<String, NodeInfo> e : fresh.getInputInfo().entrySet()) {
        if (!(e.getValue().getInfo() instanceof TensorInfo info)) {
          return;
        }
        long[] shape = info.getShape().clone();
        for (int d = 0; d < shape.length; d++) {
          shape[d] = Math.max(1, shape[d]);
        }
        int n = Math.toIntExact(Tensor.elementCount(shape));
        switch (info.type) {
          case FLOAT -> zeros.put(e.getKey(), Tensor.ofFloats(shape, new float[n]));
          case INT64 -> zeros.put(e.getKey(), Tensor.ofLongs(shape, new long[n]));
          default -> {
            return; // an input the agent never sends: the session warms on real requests
          }
        }
      }
      for (int i = 0; i < times; i++) {
        runOn(fresh, zeros, false, true);
      }
    } finally {
      running.release(permits);
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

  /** What lone runs do now; null when the runner has no wide session to offer. */
  LoneRuns loneRuns() {
    return lone;
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
      if (lone != null) {
        lone.close();
      }
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
