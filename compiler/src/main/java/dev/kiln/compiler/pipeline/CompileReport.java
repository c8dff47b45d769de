package dev.kiln.compiler.pipeline;

import dev.kiln.artifact.Manifest;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;

/**
 * What a compile did, for people (a table) and scripts ({@code --json}). The manifest inside the
 * artifact holds the same facts a device needs; this adds what only the operator cares about.
 *
 * @param inputShapes the input shapes verification and the benchmark used, and where they came
 *     from, e.g. {@code input:1x3x32x32 (seeded random inputs; dynamic batch dim ... set to 1)}
 * @param quantization what {@code --quantize} did; null for a full-precision compile
 * @param baseline what the artifact's {@code baseline.json} holds, or why it has none; null from a
 *     front end's own report, before the compiler adds it
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
    String sourceFramework,
    String inputShapes,
    QuantizationReport quantization,
    String baseline) {

  /** A front end's report, before the compiler adds the baseline. */
  public CompileReport(
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
      String sourceFramework,
      String inputShapes,
      QuantizationReport quantization) {
    this(
        artifact,
        model,
        version,
        profile,
        arch,
        engine,
        executionProviders,
        optimizerLevel,
        optimizerReason,
        payloadFormat,
        opsBefore,
        opsAfter,
        nodesBefore,
        nodesAfter,
        passes,
        sourceBytes,
        payloadBytes,
        verification,
        worstDifference,
        benchmark,
        warnings,
        signed,
        sourceFramework,
        inputShapes,
        quantization,
        null);
  }

  /** A full-precision compile's report. */
  public CompileReport(
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
      String sourceFramework,
      String inputShapes) {
    this(
        artifact,
        model,
        version,
        profile,
        arch,
        engine,
        executionProviders,
        optimizerLevel,
        optimizerReason,
        payloadFormat,
        opsBefore,
        opsAfter,
        nodesBefore,
        nodesAfter,
        passes,
        sourceBytes,
        payloadBytes,
        verification,
        worstDifference,
        benchmark,
        warnings,
        signed,
        sourceFramework,
        inputShapes,
        null);
  }

  /** This report with what the artifact's baseline holds, or why it has none. */
  public CompileReport withBaseline(String what) {
    return new CompileReport(
        artifact,
        model,
        version,
        profile,
        arch,
        engine,
        executionProviders,
        optimizerLevel,
        optimizerReason,
        payloadFormat,
        opsBefore,
        opsAfter,
        nodesBefore,
        nodesAfter,
        passes,
        sourceBytes,
        payloadBytes,
        verification,
        worstDifference,
        benchmark,
        warnings,
        signed,
        sourceFramework,
        inputShapes,
        quantization,
        what);
  }

  public Path artifactPath() {
    return Path.of(artifact);
  }
}
