package dev.kiln.cloud.service.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.artifact.AtomicFiles;
import dev.kiln.fleet.rollout.ArtifactRef;
import dev.kiln.json.JsonMappers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The artifact catalog of one service in {@code STATE/artifacts.json}, replaced atomically on each
 * change.
 */
public final class FileArtifactCatalog implements ArtifactCatalog {
  public static final String FILE = "artifacts.json";
  private static final ObjectMapper JSON = JsonMappers.readable();

  private final Path file;
  private final Map<String, Entry> byId = new LinkedHashMap<>();

  public FileArtifactCatalog(Path stateDir) {
    this.file = stateDir.resolve(FILE);
    if (Files.exists(file)) {
      try {
        for (Entry e : JSON.readValue(file.toFile(), Entry[].class)) {
          byId.put(e.id(), e);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(file + " is not a valid artifact list; move it aside", e);
      }
    }
  }

  @Override
  public synchronized Entry add(ArtifactRef ref) {
    Entry e = Entry.of(ref);
    Entry known = byId.get(e.id());
    if (known != null && known.path().equals(ref.path())) {
      return known;
    }
    byId.put(e.id(), e);
    try {
      AtomicFiles.write(file, JSON.writeValueAsBytes(new ArrayList<>(byId.values())));
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot write " + file, ex);
    }
    return e;
  }

  @Override
  public synchronized Entry find(String idOrPath) {
    Entry e = byId.get(idOrPath);
    if (e != null) {
      return e;
    }
    String abs = Path.of(idOrPath).toAbsolutePath().toString();
    return byId.values().stream().filter(x -> x.path().equals(abs)).findFirst().orElse(null);
  }

  @Override
  public synchronized List<Entry> all() {
    return List.copyOf(byId.values());
  }
}
