package dev.kiln.compiler.ort;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The compiler's only door to ONNX Runtime: opening sessions and running them on host tensors.
 * Every native object is closed before a method returns, so repeated compiles do not leak.
 */
public final class OrtSessions {
  private OrtSessions() {}

  public static OrtEnvironment environment() {
    return OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "kiln");
  }

  public static String version() {
    return environment().getVersion();
  }

  /** Opens a session on the CPU with the given optimization level and intra-op threads. */
  public static OrtSession open(Path model, OptLevel level, int threads) throws OrtException {
    try (SessionOptions options = options(level, threads, true)) {
      return environment().createSession(model.toString(), options);
    }
  }

  /**
   * Like {@link #open(Path, OptLevel, int)}, but the intra-op threads sleep when idle instead of
   * spinning. For sessions timed in alternation in one process: on a small host the idle session's
   * spinning workers take cores from the running one, a roughly fixed cost per run that pulls the
   * faster model's ratio towards 1 (mobilenet_v2 int8/fp32 0.72x spinning, 0.51-0.54x not). A
   * device runs one session per model, so no other session spins against it.
   */
  public static OrtSession openNonSpinning(Path model, OptLevel level, int threads)
      throws OrtException {
    try (SessionOptions options = options(level, threads, false)) {
      return environment().createSession(model.toString(), options);
    }
  }

  /**
   * Like {@link #open(Path, OptLevel, int)}, with ONNX Runtime's exact int8 products on x86 CPUs
   * without VNNI ({@code session.x64quantprecision}): from EXTENDED on, ORT turns int8 weights into
   * uint8 and multiplies with its U8U8 kernels instead of VPMADDUBSW, whose 16-bit pair sums
   * saturate on full-range weights. A no-op on CPUs with VNNI and on other architectures. Slower:
   * for judging accuracy, never for timing.
   */
  public static OrtSession openExactInt8(Path model, OptLevel level, int threads)
      throws OrtException {
    try (SessionOptions options = options(level, threads, true)) {
      options.addConfigEntry("session.x64quantprecision", "1");
      return environment().createSession(model.toString(), options);
    }
  }

  /**
   * Opens an ORT-format model the way the agent does: ONNX Runtime uses {@code bytes} (a direct,
   * memory-mapped buffer) in place, initializers included, so the caller must keep them reachable
   * until the session is closed.
   */
  static OrtSession openInPlace(ByteBuffer bytes, OptLevel level, int threads, boolean spinning)
      throws OrtException {
    try (SessionOptions options = options(level, threads, spinning)) {
      options.addConfigEntry("session.load_model_format", "ORT");
      options.addConfigEntry("session.use_ort_model_bytes_directly", "1");
      options.addConfigEntry("session.use_ort_model_bytes_for_initializers", "1");
      return environment().createSession(bytes, options);
    }
  }

  private static SessionOptions options(OptLevel level, int threads, boolean spinning)
      throws OrtException {
    SessionOptions options = new SessionOptions();
    try {
      options.setOptimizationLevel(level);
      options.setIntraOpNumThreads(threads);
      options.setInterOpNumThreads(1);
      options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
      if (!spinning) {
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
      }
      return options;
    } catch (OrtException e) {
      options.close();
      throw e;
    }
  }

  /** Opens a session on a model held in memory; see {@link #open(Path, OptLevel, int)}. */
  public static OrtSession open(byte[] model, OptLevel level, int threads) throws OrtException {
    try (SessionOptions options = options(level, threads, true)) {
      return environment().createSession(model, options);
    }
  }

  /** Input names with their static shapes (-1 where dynamic) and dtypes, in model order. */
  /**
   * Why ONNX Runtime refuses to load {@code model} (graph resolution, shape inference, kernels), or
   * null when it loads. Loads without graph optimizations: this asks about the model as written.
   */
  public static String loadError(Path model) {
    try (OrtSession ignored = open(model, OptLevel.NO_OPT, 1)) {
      return null;
    } catch (OrtException e) {
      return e.getMessage();
    }
  }

  public static Map<String, TensorInfo> inputs(OrtSession session) throws OrtException {
    return tensorInfos(session.getInputInfo());
  }

  public static Map<String, TensorInfo> outputs(OrtSession session) throws OrtException {
    return tensorInfos(session.getOutputInfo());
  }

  private static Map<String, TensorInfo> tensorInfos(Map<String, NodeInfo> infos) {
    Map<String, TensorInfo> out = new LinkedHashMap<>();
    infos.forEach(
        (name, info) -> {
          if (info.getInfo() instanceof TensorInfo tensor) {
            out.put(name, tensor);
          }
        });
    return out;
  }

  /** Runs one inference; outputs come back as host tensors in model output order. */
  public static Map<String, HostTensor> run(OrtSession session, Map<String, HostTensor> inputs)
      throws OrtException {
    OrtEnvironment env = environment();
    Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, HostTensor> input : inputs.entrySet()) {
        HostTensor t = input.getValue();
        OnnxTensor tensor =
            t.values() instanceof float[] f
                ? OnnxTensor.createTensor(env, FloatBuffer.wrap(f), t.shape())
                : OnnxTensor.createTensor(env, LongBuffer.wrap((long[]) t.values()), t.shape());
        tensors.put(input.getKey(), tensor);
      }
      try (OrtSession.Result result = session.run(tensors)) {
        Map<String, HostTensor> outputs = new LinkedHashMap<>();
        for (Map.Entry<String, OnnxValue> output : result) {
          outputs.put(output.getKey(), toHost((OnnxTensor) output.getValue()));
        }
        return outputs;
      }
    } finally {
      tensors.values().forEach(OnnxTensor::close);
    }
  }

  private static HostTensor toHost(OnnxTensor tensor) {
    long[] shape = tensor.getInfo().getShape();
    return switch (tensor.getInfo().type) {
      case FLOAT -> {
        FloatBuffer buffer = tensor.getFloatBuffer();
        float[] values = new float[buffer.remaining()];
        buffer.get(values);
        yield HostTensor.ofFloats(shape, values);
      }
      case INT64 -> {
        LongBuffer buffer = tensor.getLongBuffer();
        long[] values = new long[buffer.remaining()];
        buffer.get(values);
        yield HostTensor.ofLongs(shape, values);
      }
      default ->
          throw new IllegalStateException(
              "output of type " + tensor.getInfo().type + " is not supported for verification yet");
    };
  }
}
