package dev.kiln.fleet.simulate;

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
 * Small signed .kiln archives with a random payload of a chosen size, for simulated fleets: a
 * simulated device downloads one, checks its checksums, signature and target, and never runs it, so
 * the payload need not be a model. Tests and the fleet benchmark share this.
 */
public final class StandInArtifacts {
  private StandInArtifacts() {}

  public static Path write(
      Path dir,
      String name,
      String version,
      String profile,
      String arch,
      int payloadBytes,
      KeyPair key)
      throws IOException {
    Path staging = Files.createTempDirectory(Files.createDirectories(dir), "staging");
    byte[] payload = new byte[payloadBytes];
    new Random(version.hashCode()).nextBytes(payload);
    Files.write(staging.resolve("model.onnx"), payload);
    Manifest m =
        new Manifest(
            1,
            new Manifest.ModelInfo(name, version),
            null,
            new Manifest.TargetInfo(profile, arch, null),
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
    Path out = dir.resolve(name + "-" + version + "-" + profile + ".kiln");
    ArtifactWriter.writeArchive(staging, out, true);
    ArtifactWriter.deleteTree(staging);
    return out;
  }
}
