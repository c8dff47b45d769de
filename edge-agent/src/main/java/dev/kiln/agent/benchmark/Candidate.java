package dev.kiln.agent.benchmark;

import dev.kiln.artifact.Artifact;
import dev.kiln.artifact.Manifest;

/**
 * An artifact to measure, opened and verified by the caller (the agent's store, or {@code kiln
 * recommend --local} from a {@code .kiln} file).
 */
public record Candidate(String model, String version, Artifact artifact) {

  public static Candidate of(Artifact artifact) {
    Manifest.ModelInfo m = artifact.manifest().model();
    return new Candidate(m.name(), m.version(), artifact);
  }

  /** {@code fp32}, or the precision the compiler quantized to ({@code int8}, {@code fp16}). */
  public String precision() {
    Manifest.Quantization q = artifact.manifest().quantization();
    return q == null || q.precision() == null ? "fp32" : q.precision();
  }
}
