package dev.kiln.fleet.testing;

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

/** Builds small signed .kiln archives with a random payload of a chosen size. */
public final class TestArtifacts {
  private TestArtifacts() {}

  public static Path write(
      Path dir,
      String name,
      String version,
      String profile,
      String arch,
      int payloadBytes,
      KeyPair key)
      throws IOException {
    Path staging = Files.createTempDirectory(dir, "staging");
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
