package dev.kiln.cloud.service.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.fleet.postgres.PostgresUrl;
import dev.kiln.testkit.PostgresServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The artifact contract on a real PostgreSQL, a fresh database per test: what one replica lists,
 * every other resolves.
 */
class PostgresArtifactCatalogTest extends ArtifactCatalogContract {
  private PostgresUrl url;
  private final List<PostgresArtifactCatalog> opened = new ArrayList<>();

  @BeforeEach
  void freshDatabase() {
    url = PostgresUrl.parse(PostgresServer.shared().createDatabase("artifacts").storeUri());
  }

  @AfterEach
  void closeCatalogs() {
    opened.forEach(PostgresArtifactCatalog::close);
  }

  @Override
  ArtifactCatalog open(Path stateDir) {
    PostgresArtifactCatalog c = PostgresArtifactCatalog.open(url);
    opened.add(c);
    return c;
  }

  @Test
  void replicasOwnNoFile(@org.junit.jupiter.api.io.TempDir Path other) {
    open(stateDir).add(ref("cnn", "1.0.0", 'a', "/srv/a/cnn.kiln"));
    assertThat(stateDir.resolve(FileArtifactCatalog.FILE)).doesNotExist();
    assertThat(open(other).all()).hasSize(1);
  }
}
