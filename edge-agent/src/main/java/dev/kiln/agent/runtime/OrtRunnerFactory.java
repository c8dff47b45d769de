package dev.kiln.agent.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/**
 * Loads "ort" and "onnx" payloads with ONNX Runtime's Java API, without DJL.
 *
 * <p>An "ort" payload (ORT format, which the compiler ships when the payload is final for the
 * target: optimized at ONNX Runtime's ALL level for the host's ISA) is memory-mapped and handed to
 * ONNX Runtime as a direct buffer it uses in place, initializers included: nothing is parsed into
 * copies, so the load no longer grows with the weight bytes (docs/benchmarks.md, "Model load on the
 * agent"). The weights are paged in from the page cache by the first inferences instead. ONNX
 * Runtime verifies the flatbuffer before it uses it, so a truncated or corrupt payload is refused
 * with an engine error, never read out of bounds.
 *
 * <p>An "onnx" payload is opened by path, with the same session options.
 *
 * <p>The environment: ONNX Runtime allows one per process, created on first use with its defaults.
 * DJL's OnnxRuntime engine insists on creating it itself, so a process that also loads ONNX models
 * through DJL (benchmarks comparing both) must start DJL's engine first; the agent does not.
 */
final class OrtRunnerFactory implements RunnerFactory {

  @Override
  public ModelRunner load(RunnerSpec spec) {
    return load(spec, options -> {});
  }

  /** Something more to set on the session options; tests add ONNX Runtime's profiler. */
  interface Extra {
    void apply(SessionOptions options) throws OrtException;
  }

  ModelRunner load(RunnerSpec spec, Extra extra) {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (SessionOptions options = OrtSessionOptions.of(spec)) {
      extra.apply(options);
      if (spec.format().equals("ort")) {
        MappedByteBuffer mapping = map(spec);
        OrtSession session = env.createSession(mapping, options);
        return new OrtModelRunner(env, session, mapping, spec);
      }
      return new OrtModelRunner(
          env, env.createSession(spec.payload().toString(), options), null, spec);
    } catch (OrtException | RuntimeException e) {
      if (e instanceof AgentException a) {
        throw a;
      }
      throw new AgentException(
          AgentErrorCode.ENGINE_ERROR,
          "OnnxRuntime could not load " + spec.payload() + ": " + e.getMessage(),
          e);
    }
  }

  /** The payload, mapped read-only; the channel may close, the mapping lives with its buffer. */
  private static MappedByteBuffer map(RunnerSpec spec) {
    try (FileChannel channel = FileChannel.open(spec.payload(), StandardOpenOption.READ)) {
      return channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
    } catch (IOException e) {
      throw new AgentException(
          AgentErrorCode.IO_ERROR, "could not map " + spec.payload() + ": " + e.getMessage(), e);
    }
  }
}
