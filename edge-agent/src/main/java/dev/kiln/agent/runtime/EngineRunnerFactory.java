package dev.kiln.agent.runtime;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import java.util.function.IntSupplier;

/**
 * The one place that picks an engine for a payload, by the manifest's payload format:
 *
 * <ul>
 *   <li>{@code ort} and {@code onnx}: ONNX Runtime's Java API directly ({@link OrtRunnerFactory}).
 *       DJL cannot hand ONNX Runtime a memory-mapped ORT payload, and for {@code onnx} the direct
 *       runner costs less per request than DJL's (docs/benchmarks.md, "Per-request cost of the
 *       runner"), with the same outputs.
 *   <li>{@code torchscript}: DJL's PyTorch engine ({@link DjlRunnerFactory}).
 * </ul>
 */
public final class EngineRunnerFactory implements RunnerFactory {
  private final OrtRunnerFactory onnxRuntime;
  private final DjlRunnerFactory djl;

  /**
   * @param torchThreads intra-op threads for PyTorch, which reads them once per process
   */
  public EngineRunnerFactory(int torchThreads) {
    this(torchThreads, () -> 0, true);
  }

  /**
   * @param requestsInFlight the agent's requests in flight, to tell a lone request ({@link
   *     LoneRuns}); 0 where nothing else counts them (batch transform)
   * @param wideLoneRequests whether lone requests may get a session with every predictor's threads
   *     ({@code threads.wideLoneRequests})
   */
  public EngineRunnerFactory(
      int torchThreads, IntSupplier requestsInFlight, boolean wideLoneRequests) {
    // Also sets DJL's process-wide properties (offline, no alternative engine) before any engine.
    this.djl = new DjlRunnerFactory(torchThreads);
    this.onnxRuntime =
        new OrtRunnerFactory(
            requestsInFlight,
            wideLoneRequests ? LoneRuns.MIN_LONE_NANOS : OrtRunnerFactory.NO_WIDE);
  }

  @Override
  public ModelRunner load(RunnerSpec spec) {
    return switch (spec.format()) {
      case "ort", "onnx" -> onnxRuntime.load(spec);
      case "torchscript" -> djl.load(spec);
      default ->
          throw new AgentException(
              AgentErrorCode.ARTIFACT_REJECTED,
              "payload format '"
                  + spec.format()
                  + "' cannot be served by this agent; valid formats: onnx, ort, torchscript."
                  + " Recompile the model with this agent's Kiln version");
    };
  }
}
