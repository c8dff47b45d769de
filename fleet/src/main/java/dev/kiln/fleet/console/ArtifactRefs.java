package dev.kiln.fleet.console;

import dev.kiln.artifact.Artifact;
import dev.kiln.artifact.ArtifactWriter;
import dev.kiln.artifact.Manifest;
import dev.kiln.artifact.Sha256;
import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import dev.kiln.fleet.rollout.ArtifactRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads what a deployment needs to know about a {@code .kiln} archive from its manifest. */
public final class ArtifactRefs {
  private ArtifactRefs() {}

  public static ArtifactRef read(Path kiln) {
    if (!Files.isRegularFile(kiln)) {
      throw new FleetException(
          FleetErrorCode.ARTIFACT_INVALID,
          kiln + " is not a .kiln archive; build one with kiln compile");
    }
    Path scratch = null;
    try {
      scratch = Files.createTempDirectory("kiln-fleet-ref");
      Artifact a = Artifact.unpack(kiln, scratch.resolve("a"));
      Manifest m = a.manifest();
      List<String> eps = m.engine() == null ? List.of() : m.engine().executionProviders();
      return new ArtifactRef(
          m.model().name(),
          m.model().version(),
          Sha256.of(kiln),
          Files.size(kiln),
          m.target().arch(),
          m.target().profile(),
          eps,
          kiln.toAbsolutePath().toString());
    } catch (IOException | RuntimeException e) {
      throw new FleetException(
          FleetErrorCode.ARTIFACT_INVALID, kiln + " is not a valid artifact: " + e.getMessage(), e);
    } finally {
      try {
        if (scratch != null) {
          ArtifactWriter.deleteTree(scratch);
        }
      } catch (IOException ignored) {
        // A leftover temp dir is harmless.
      }
    }
  }
}
