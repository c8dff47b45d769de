package dev.kiln.fleet.rollout;

import java.util.List;

/**
 * The artifact a deployment ships, as read from its verified manifest on the console.
 *
 * @param path where the console reads the {@code .kiln} archive to serve chunks
 * @param executionProviders the providers the artifact needs, for the device's compatibility check
 */
public record ArtifactRef(
    String name,
    String version,
    String sha256,
    long bytes,
    String arch,
    String profile,
    List<String> executionProviders,
    String path) {

  public ArtifactRef {
    executionProviders = executionProviders == null ? List.of() : List.copyOf(executionProviders);
  }

  public String label() {
    return name + "@" + version;
  }
}
