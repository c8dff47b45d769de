package dev.kiln.cloud.service.deploy;

import dev.kiln.fleet.console.ArtifactRefs;
import dev.kiln.fleet.rollout.ArtifactRef;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * The artifacts the service has seen, deployed or registered, so that the API can list them and a
 * deployment can name one by id. An artifact's id is the start of its archive's SHA-256, so
 * registering the same archive twice gives one entry; registering it again from another path moves
 * the entry there. Two stores: {@link FileArtifactCatalog} for one service, {@link
 * PostgresArtifactCatalog} shared by replicas, so an id registered through one replica deploys
 * through any. Safe for threads.
 */
public interface ArtifactCatalog {
  /** One artifact as the API lists it. */
  record Entry(
      String id,
      String model,
      String version,
      String target,
      String path,
      String signedBy,
      long sizeBytes,
      String createdAt) {

    /** The entry an archive's reference gives, listed now. */
    static Entry of(ArtifactRef ref) {
      return new Entry(
          ref.sha256().substring(0, 16),
          ref.name(),
          ref.version(),
          ref.profile() + "/" + ref.arch(),
          ref.path(),
          null,
          ref.bytes(),
          Instant.now().toString());
    }
  }

  /** Lists an artifact; returns its entry (the one already listed if the path is the same). */
  Entry add(ArtifactRef ref);

  /** The listed entry an artifact id or an archive path names, or null. */
  Entry find(String idOrPath);

  /** Every listed artifact, in the order first listed. */
  List<Entry> all();

  /** Reads and checks a {@code .kiln} archive and lists it; returns its entry. */
  default Entry register(Path archive) {
    return add(ArtifactRefs.read(archive));
  }

  /** Reads and checks the archive an artifact id or path names, and lists it. */
  default ArtifactRef load(String idOrPath) {
    ArtifactRef ref = ArtifactRefs.read(resolve(idOrPath));
    add(ref);
    return ref;
  }

  /** A listed artifact's archive path, or else {@code idOrPath} taken as a path on this machine. */
  default Path resolve(String idOrPath) {
    Entry e = find(idOrPath);
    return e != null ? Path.of(e.path()) : Path.of(idOrPath);
  }
}
