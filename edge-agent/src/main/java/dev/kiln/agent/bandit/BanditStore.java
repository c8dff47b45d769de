package dev.kiln.agent.bandit;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.kiln.agent.config.RoutingConfig;
import dev.kiln.artifact.AtomicFiles;
import dev.kiln.artifact.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
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

  /**
   * The file's shape; {@code schema} lets a later agent read an older file.
   *
   * @param routing set when a fleet deploy turned the bandit on (not agent.json), so it stays on
   *     after a restart; null for a bandit from agent.json
   */
  record State(int schema, String model, Map<String, ArmStats> arms, RoutingConfig routing) {}

  private final Path dir;

  BanditStore(Path stateDir) {
    this.dir = stateDir.resolve("bandits");
  }

  Path file(String model) {
    return dir.resolve(model + ".json");
  }

  void save(String model, Map<String, ArmStats> arms, RoutingConfig runtime) throws IOException {
    AtomicFiles.write(file(model), Json.toBytes(new State(1, model, arms, runtime)));
  }

  Map<String, ArmStats> load(String model) {
    State s = read(model);
    return s == null || s.arms() == null ? Map.of() : Map.copyOf(s.arms());
  }

  /** Bandits a fleet deploy turned on, by model: they stay on across restarts. */
  Map<String, RoutingConfig> runtimeBandits() {
    Map<String, RoutingConfig> out = new TreeMap<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        String name = f.getFileName().toString();
        if (name.endsWith(".json") && !name.startsWith(".")) {
          String model = name.substring(0, name.length() - ".json".length());
          State s = read(model);
          if (s != null && s.routing() != null) {
            out.put(model, s.routing());
          }
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot list bandit state in {}: {}", dir, e.getMessage());
    }
    return out;
  }

  void delete(String model) throws IOException {
    Files.deleteIfExists(file(model));
    AtomicFiles.fsyncDirectory(dir);
  }

  private State read(String model) {
    try {
      return Json.MAPPER.readValue(Files.readAllBytes(file(model)), new TypeReference<State>() {});
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "bandit state {} cannot be read ({}); {} starts from the prior",
          file(model),
          e.getMessage(),
          model);
      return null;
    }
  }
}
