package dev.kiln.agent.store;

import dev.kiln.artifact.AtomicFiles;
import dev.kiln.artifact.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Per-model serving settings set through the fleet (a {@code config} command), one file each under
 * {@code <stateDir>/serving/}. They take the place of {@code agent.json}'s thread and batching
 * settings for that model. A file is durable when {@link #save} returns (temp file, fsync, rename);
 * {@link #remove} deletes it.
 */
public final class ServingSettingsStore {
  /**
   * @param threads intra-op threads per predictor
   * @param predictors engine calls that may run the model at once
   * @param maxBatchSize rows a dynamic batch may hold; 1 is off
   */
  public record Settings(int threads, int predictors, int maxBatchSize) {}

  private final Path dir;

  public ServingSettingsStore(Path stateDir) {
    this.dir = stateDir.resolve("serving");
  }

  public void save(String model, Settings settings) throws IOException {
    AtomicFiles.write(dir.resolve(model + ".json"), Json.toBytes(settings));
  }

  public void remove(String model) throws IOException {
    Files.deleteIfExists(dir.resolve(model + ".json"));
  }

  /** Every model's settings, by model name. */
  public Map<String, Settings> load() throws IOException {
    Map<String, Settings> out = new LinkedHashMap<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        String name = f.getFileName().toString();
        out.put(
            name.substring(0, name.length() - ".json".length()),
            Json.fromBytes(Files.readAllBytes(f), Settings.class));
      }
    }
    return out;
  }
}
