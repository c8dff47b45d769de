package dev.kiln.cloud.service.deploy;

import java.nio.file.Path;

/** The artifact contract on {@code STATE/artifacts.json}. */
class FileArtifactCatalogTest extends ArtifactCatalogContract {
  @Override
  ArtifactCatalog open(Path stateDir) {
    return new FileArtifactCatalog(stateDir);
  }
}
