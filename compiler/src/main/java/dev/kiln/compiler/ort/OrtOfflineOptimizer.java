package dev.kiln.compiler.ort;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import java.nio.file.Path;

/**
 * Runs ONNX Runtime's graph optimizer once, on the host, and saves the result, so the device skips
 * that work at load time. The level must be one the target can run: see {@link OptimizerLevel}.
 */
public final class OrtOfflineOptimizer {
  private OrtOfflineOptimizer() {}

  /**
   * @param ortFormat save in ORT's flatbuffer format (smaller, faster to load on small devices)
   */
  public static void optimize(Path source, Path target, OptimizerLevel level, boolean ortFormat)
      throws OrtFailure {
    try (SessionOptions options = new SessionOptions()) {
      options.setOptimizationLevel(level.ortLevel());
      options.setIntraOpNumThreads(1);
      options.setOptimizedModelFilePath(target.toString());
      if (ortFormat) {
        options.addConfigEntry("session.save_model_format", "ORT");
      }
      try (OrtSession ignored =
          OrtSessions.environment().createSession(source.toString(), options)) {
        // Creating the session is what writes the optimized model.
      }
    } catch (OrtException e) {
      throw new OrtFailure(e);
    }
  }

  /** The ONNX Runtime optimization levels Kiln may bake into an artifact. */
  public enum OptimizerLevel {
    /** Constant folding and redundant-node removal: valid on every execution provider. */
    BASIC(OptLevel.BASIC_OPT),
    /**
     * Adds CPU-provider fusions (Conv+Activation, GELU, ...): valid for CPU targets of any arch.
     */
    EXTENDED(OptLevel.EXTENDED_OPT),
    /** Adds NCHWc layout transforms tuned to this host's vector width: only for the host's ISA. */
    ALL(OptLevel.ALL_OPT);

    private final OptLevel ortLevel;

    OptimizerLevel(OptLevel ortLevel) {
      this.ortLevel = ortLevel;
    }

    OptLevel ortLevel() {
      return ortLevel;
    }
  }
}
