package dev.kiln.compiler.pipeline;

import dev.kiln.compiler.ort.OrtSessions;
import java.nio.file.Path;

/**
 * Tells whether fixing dims with {@code --input-shape} is what breaks a model in ONNX Runtime. It
 * shape-checks both branches of an {@code If} at load time, including one that never runs at the
 * given sizes, so a model that loads with dynamic dims can be refused with them fixed.
 */
final class FixedShapesProbe {
  private FixedShapesProbe() {}

  /**
   * @return ONNX Runtime's reason when {@code specialized} fails to load but {@code source} loads;
   *     null when the specialized model loads, or when the source fails too (then the dims are not
   *     the problem and the later stages report it)
   */
  static String rejection(Path source, Path specialized) {
    String error = OrtSessions.loadError(specialized);
    if (error == null || OrtSessions.loadError(source) != null) {
      return null;
    }
    return error;
  }
}
