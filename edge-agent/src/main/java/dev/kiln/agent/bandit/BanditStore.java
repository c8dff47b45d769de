package dev.kiln.agent.bandit;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.kiln.artifact.AtomicFiles;
import dev.kiln.artifact.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each model's bandit has learned, one file per model: {@code <stateDir>/bandits/<model>.json}
 * holding every arm's pulls, rewarded count and reward sum (a few dozen bytes per variant, so the
 * file stays small whatever the traffic).
 *
 * <p>Contract: when {@link #save} returns, the file is on disk (temp file, fsync, atomic rename,
 * directory fsync), so a crash leaves the previous or the new state, never a torn one. A file that
 * cannot be read is logged and the model starts from the prior; the next save replaces it.
 */
final class BanditStore {
  private static final Logger LOG = LoggerFactory.getLogger(BanditStore.class);

  /** The file's shape; {@code schema} lets a later agent read an older file. */
  record State(int schema, String model, Map<String, ArmStats> arms) {}

  private final Path dir;

  BanditStore(Path stateDir) {
    this.dir = stateDir.resolve("bandits");
  }

  Path file(String model) {
    return dir.resolve(model + ".json");
  }

  void save(String model, Map<String, ArmStats> arms) throws IOException {
    AtomicFiles.write(file(model), Json.toBytes(new State(1, model, arms)));
  }

  Map<String, ArmStats> load(String model) {
    try {
      State s = Json.MAPPER.readValue(Files.readAllBytes(file(model)), new TypeReference<>() {});
      return s.arms() == null ? Map.of() : Map.copyOf(s.arms());
    } catch (NoSuchFileException e) {
      return Map.of();
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "bandit state {} cannot be read ({}); {} starts from the prior",
          file(model),
          e.getMessage(),
          model);
      return Map.of();
    }
  }
}
