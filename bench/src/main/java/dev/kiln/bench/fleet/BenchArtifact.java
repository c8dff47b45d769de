package dev.kiln.bench.fleet;

import dev.kiln.artifact.ArtifactWriter;
import dev.kiln.artifact.Json;
import dev.kiln.artifact.Manifest;
import dev.kiln.artifact.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A small signed .kiln archive of model {@code mlp} for linux-x86_64 with a random payload: a
 * simulated device downloads it, checks its checksums and signature and its target, and never runs
 * it, so the payload need not be a real model.
 */
final class BenchArtifact {
  private BenchArtifact() {}

  static Path write(Path dir, String version, int payloadBytes, KeyPair key) throws IOException {
    Path staging = Files.createTempDirectory(Files.createDirectories(dir), "staging");
    byte[] payload = new byte[payloadBytes];
    new Random(version.hashCode()).nextBytes(payload);
    Files.write(staging.resolve("model.onnx"), payload);
    Manifest m =
        new Manifest(
            1,
            new Manifest.ModelInfo("mlp", version),
            null,
            new Manifest.TargetInfo("linux-x86_64", "x86_64", null),
            new Manifest.EngineInfo(
                "onnxruntime", "1.21.1", List.of("CPUExecutionProvider"), 1, Map.of(), List.of()),
            new Manifest.Payload("model.onnx", "onnx", payloadBytes, Sha256.of(payload)),
            null,
            List.of(),
            null,
            null,
            null,
            null);
    Files.write(staging.resolve("manifest.json"), Json.toBytes(m));
    ArtifactWriter.seal(staging, key);
    Path out = dir.resolve("mlp-" + version + "-linux-x86_64.kiln");
    ArtifactWriter.writeArchive(staging, out, true);
    ArtifactWriter.deleteTree(staging);
    return out;
  }
}
