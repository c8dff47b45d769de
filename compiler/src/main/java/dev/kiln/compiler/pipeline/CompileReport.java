package dev.kiln.compiler.pipeline;

import dev.kiln.artifact.Manifest;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;

/**
 * What a compile did, for people (a table) and scripts ({@code --json}). The manifest inside the
 * artifact holds the same facts a device needs; this adds what only the operator cares about.
 */
public record CompileReport(
    String artifact,
    String model,
    String version,
    String profile,
    String arch,
    String engine,
    List<String> executionProviders,
    String optimizerLevel,
    String optimizerReason,
    String payloadFormat,
    SortedMap<String, Integer> opsBefore,
    SortedMap<String, Integer> opsAfter,
    int nodesBefore,
    int nodesAfter,
    List<Manifest.PassRecord> passes,
    long sourceBytes,
    long payloadBytes,
    Manifest.Verification verification,
    String worstDifference,
    Manifest.Benchmark benchmark,
    List<String> warnings,
    boolean signed,
    String sourceFramework) {

  public Path artifactPath() {
    return Path.of(artifact);
  }
}
