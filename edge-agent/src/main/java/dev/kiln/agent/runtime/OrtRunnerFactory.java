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
import java.util.function.IntSupplier;

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
  /** As {@code minLoneNanos}: no session for lone requests at all. */
  static final long NO_WIDE = Long.MAX_VALUE;

  private final IntSupplier requestsInFlight;
  private final long minLoneNanos;

  OrtRunnerFactory() {
    this(() -> 0, LoneRuns.MIN_LONE_NANOS);
  }

  /**
   * @param requestsInFlight the agent's requests in flight: a run is alone only when the agent
   *     serves no other request, not merely when no other run is in the engine (others may be
   *     decoding on the other cores)
   * @param minLoneNanos lone runs faster than this never get a wide session ({@link
   *     LoneRuns#MIN_LONE_NANOS}; tests pass 0; {@link #NO_WIDE} for none at all)
   */
  OrtRunnerFactory(IntSupplier requestsInFlight, long minLoneNanos) {
    this.requestsInFlight = requestsInFlight;
    this.minLoneNanos = minLoneNanos;
  }

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
        return new OrtModelRunner(env, session, mapping, spec, wide(env, spec, mapping, extra));
      }
      return new OrtModelRunner(
          env, env.createSession(spec.payload().toString(), options), null, spec, null);
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

  /**
   * A wide session for runs alone ({@link LoneRuns}) where the predictors share more than one
   * thread among them and the threads were not configured: only for ORT-format payloads, whose
   * weights both sessions read in place from the one mapping, so the second costs little memory.
   */
  private OrtModelRunner.Wide wide(
      OrtEnvironment env, RunnerSpec spec, MappedByteBuffer mapping, Extra extra) {
    int all = spec.threads() * spec.predictors();
    if (minLoneNanos == NO_WIDE
        || !spec.threadsChosen()
        || spec.predictors() < 2
        || all <= spec.threads()
        || all > Runtime.getRuntime().availableProcessors()) {
      return null;
    }
    RunnerSpec wide = spec.withThreads(all);
    return new OrtModelRunner.Wide(
        all,
        requestsInFlight,
        minLoneNanos,
        () -> {
          try (SessionOptions options = OrtSessionOptions.of(wide)) {
            extra.apply(options);
            // Spinning threads would hold both cores after the run, while the next request is read.
            options.addConfigEntry("session.force_spinning_stop", "1");
            return env.createSession(mapping, options);
          }
        });
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
