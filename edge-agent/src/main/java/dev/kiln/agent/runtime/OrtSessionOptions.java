package dev.kiln.agent.runtime;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.OrtSession.SessionOptions.ExecutionMode;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import java.util.List;
import java.util.Map;

/**
 * ONNX Runtime session options for a payload the agent loads itself: the manifest's options as
 * {@link OrtLoadOptions} checks them (the same keys and rules as the DJL path), and the manifest's
 * execution providers in preference order, ONNX Runtime's CPU provider last.
 */
final class OrtSessionOptions {
  /**
   * Makes ONNX Runtime use the memory-mapped ORT-format bytes in place, initializers included,
   * instead of copying them into its own buffers: the load is then no longer proportional to the
   * weight bytes. The bytes must outlive the session (see {@link OrtModelRunner}).
   */
  static final Map<String, String> ZERO_COPY =
      Map.of(
          "session.load_model_format", "ORT",
          "session.use_ort_model_bytes_directly", "1",
          "session.use_ort_model_bytes_for_initializers", "1");

  private OrtSessionOptions() {}

  /** Options for {@code spec}; the caller closes them once the session exists. */
  static SessionOptions of(RunnerSpec spec) throws OrtException {
    Map<String, String> checked = OrtLoadOptions.of(spec);
    SessionOptions options = new SessionOptions();
    try {
      String level = checked.get("optLevel");
      if (level != null) {
        options.setOptimizationLevel(OptLevel.valueOf(level));
      }
      String mode = checked.get("executionMode");
      if (mode != null) {
        options.setExecutionMode(ExecutionMode.valueOf(mode));
      }
      String memoryPattern = checked.get("memoryPatternOptimization");
      if (memoryPattern != null) {
        options.setMemoryPatternOptimization(Boolean.parseBoolean(memoryPattern));
      }
      String intra = checked.get("intraOpNumThreads");
      if (intra != null) {
        options.setIntraOpNumThreads(Integer.parseInt(intra));
      }
      String inter = checked.get("interOpNumThreads");
      if (inter != null) {
        options.setInterOpNumThreads(Integer.parseInt(inter));
      }
      addProviders(options, spec.executionProviders());
      if (spec.format().equals("ort")) {
        for (Map.Entry<String, String> e : ZERO_COPY.entrySet()) {
          options.addConfigEntry(e.getKey(), e.getValue());
        }
      }
      return options;
    } catch (OrtException | RuntimeException e) {
      options.close();
      throw e;
    }
  }

  /**
   * GPU providers in the manifest's order. The agent ships ONNX Runtime's CPU build, where adding
   * one fails with ONNX Runtime's own message ("... is not supported in this build"), which the
   * factory reports as an engine error, as DJL did.
   */
  private static void addProviders(SessionOptions options, List<String> providers)
      throws OrtException {
    for (String provider : providers) {
      if (provider.startsWith("Tensorrt")) {
        options.addTensorrt(0);
      } else if (provider.startsWith("CUDA")) {
        options.addCUDA(0);
      }
    }
  }
}
