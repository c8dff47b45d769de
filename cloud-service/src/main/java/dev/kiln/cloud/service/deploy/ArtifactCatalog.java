package dev.kiln.cloud.service.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.artifact.AtomicFiles;
import dev.kiln.fleet.console.ArtifactRefs;
import dev.kiln.fleet.rollout.ArtifactRef;
import dev.kiln.json.JsonMappers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The artifacts the service has seen, deployed or registered, in {@code STATE/artifacts.json}
 * (replaced atomically on each change). An artifact's id is the start of its archive's SHA-256, so
 * registering the same archive twice gives one entry. Safe for threads.
 */
public final class ArtifactCatalog {
  public static final String FILE = "artifacts.json";
  private static final ObjectMapper JSON = JsonMappers.readable();

  /** One artifact as the API lists it. */
  public record Entry(
      String id,
      String model,
      String version,
      String target,
      String path,
      String signedBy,
      long sizeBytes,
      String createdAt) {}

  private final Path file;
  private final Map<String, Entry> byId = new LinkedHashMap<>();

  public ArtifactCatalog(Path stateDir) {
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

  /** Reads and checks a {@code .kiln} archive and lists it; returns its entry. */
  public Entry register(Path archive) {
    return add(ArtifactRefs.read(archive));
  }

  /** Reads and checks the archive an artifact id or path names, and lists it. */
  public ArtifactRef load(String idOrPath) {
    ArtifactRef ref = ArtifactRefs.read(resolve(idOrPath));
    add(ref);
    return ref;
  }

  public synchronized Entry add(ArtifactRef ref) {
    String id = ref.sha256().substring(0, 16);
    Entry known = byId.get(id);
    if (known != null && known.path().equals(ref.path())) {
      return known;
    }
    Entry e =
        new Entry(
            id,
            ref.name(),
            ref.version(),
            ref.profile() + "/" + ref.arch(),
            ref.path(),
            null,
            ref.bytes(),
            Instant.now().toString());
    byId.put(id, e);
    try {
      AtomicFiles.write(file, JSON.writeValueAsBytes(new ArrayList<>(byId.values())));
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot write " + file, ex);
    }
    return e;
  }

  /** An artifact id from this list, or else a path on this machine: the archive's path. */
  public synchronized Path resolve(String idOrPath) {
    Entry e = byId.get(idOrPath);
    return e != null ? Path.of(e.path()) : Path.of(idOrPath);
  }

  /** The listed entry an artifact id or path names, or null. */
  public synchronized Entry find(String idOrPath) {
    Entry e = byId.get(idOrPath);
    if (e != null) {
      return e;
    }
    String abs = Path.of(idOrPath).toAbsolutePath().toString();
    return byId.values().stream().filter(x -> x.path().equals(abs)).findFirst().orElse(null);
  }

  public synchronized List<Entry> all() {
    return List.copyOf(byId.values());
  }
}
