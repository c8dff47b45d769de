package dev.kiln.compiler.ort;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import java.util.Arrays;

/**
 * How much of ONNX Runtime's graph optimization a session applies when it loads a model. Kiln's own
 * names, so code outside {@code ort/} never sees ORT's enum; the manifest keeps ORT's spelling
 * because the agent hands it to ORT as is.
 */
public enum LoadLevel {
  /** Run the graph as written. */
  NONE(OptLevel.NO_OPT),
  BASIC(OptLevel.BASIC_OPT),
  EXTENDED(OptLevel.EXTENDED_OPT),
  /** Everything ORT knows, including transforms tuned to this host's ISA. */
  ALL(OptLevel.ALL_OPT);

  private final OptLevel ortLevel;

  LoadLevel(OptLevel ortLevel) {
    this.ortLevel = ortLevel;
  }

  OptLevel ortLevel() {
    return ortLevel;
  }

  /** The spelling in the manifest's session options ({@code optLevel}), e.g. {@code ALL_OPT}. */
  public String manifestName() {
    return ortLevel.name();
  }

  public static LoadLevel fromManifestName(String name) {
    return Arrays.stream(values())
        .filter(level -> level.manifestName().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown optLevel " + name));
  }
}
