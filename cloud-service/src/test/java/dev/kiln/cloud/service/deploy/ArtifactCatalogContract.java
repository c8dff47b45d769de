package dev.kiln.cloud.service.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.fleet.rollout.ArtifactRef;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every {@link ArtifactCatalog} must do; run against the file store and PostgreSQL. */
abstract class ArtifactCatalogContract {
  @TempDir Path stateDir;

  /** A catalog on the same place as every other this test opens (a second replica). */
  abstract ArtifactCatalog open(Path stateDir);

  static ArtifactRef ref(String name, String version, char sha, String path) {
    return new ArtifactRef(
        name,
        version,
        String.valueOf(sha).repeat(64),
        1234,
        "x86_64",
        "generic-x86_64",
        null,
        path);
  }

  @Test
  void add_listsTheArchive_underItsHashPrefix() {
    ArtifactCatalog c = open(stateDir);
    ArtifactCatalog.Entry e = c.add(ref("cnn", "1.0.0", 'a', "/srv/a/cnn.kiln"));
    assertThat(e.id()).isEqualTo("a".repeat(16));
    assertThat(e.model()).isEqualTo("cnn");
    assertThat(e.version()).isEqualTo("1.0.0");
    assertThat(e.target()).isEqualTo("generic-x86_64/x86_64");
    assertThat(e.sizeBytes()).isEqualTo(1234);
    assertThat(c.all()).containsExactly(e);
  }

  @Test
  void theSameArchiveTwice_isOneEntry_movedWhenItsPathChanges() {
    ArtifactCatalog c = open(stateDir);
    ArtifactCatalog.Entry first = c.add(ref("cnn", "1.0.0", 'a', "/srv/a/cnn.kiln"));
    c.add(ref("mlp", "2.0.0", 'b', "/srv/a/mlp.kiln"));
    assertThat(c.add(ref("cnn", "1.0.0", 'a', "/srv/a/cnn.kiln"))).isEqualTo(first);
    ArtifactCatalog.Entry moved = c.add(ref("cnn", "1.0.0", 'a', "/srv/b/cnn.kiln"));
    assertThat(moved.path()).isEqualTo("/srv/b/cnn.kiln");
    // Still listed first: moving an archive does not reorder the list.
    assertThat(c.all())
        .extracting(ArtifactCatalog.Entry::path)
        .containsExactly("/srv/b/cnn.kiln", "/srv/a/mlp.kiln");
  }

  @Test
  void findAndResolve_takeAnIdOrAPath() {
    ArtifactCatalog c = open(stateDir);
    ArtifactCatalog.Entry e = c.add(ref("cnn", "1.0.0", 'a', "/srv/a/cnn.kiln"));
    assertThat(c.find(e.id())).isEqualTo(e);
    assertThat(c.find("/srv/a/cnn.kiln")).isEqualTo(e);
    assertThat(c.find("ffffffffffffffff")).isNull();
    assertThat(c.resolve(e.id())).isEqualTo(Path.of("/srv/a/cnn.kiln"));
    assertThat(c.resolve("/elsewhere/x.kiln")).isEqualTo(Path.of("/elsewhere/x.kiln"));
  }

  @Test
  void anEntryAddedThroughOneCatalog_isSeenThroughAnother() {
    ArtifactCatalog.Entry e = open(stateDir).add(ref("cnn", "1.0.0", 'a', "/srv/a/cnn.kiln"));
    ArtifactCatalog other = open(stateDir);
    assertThat(other.find(e.id())).isEqualTo(e);
    assertThat(other.all()).isEqualTo(List.of(e));
  }
}
