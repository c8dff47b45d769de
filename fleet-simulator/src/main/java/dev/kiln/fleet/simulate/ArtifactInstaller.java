package dev.kiln.fleet.simulate;

import dev.kiln.artifact.Artifact;
import dev.kiln.artifact.ArtifactWriter;
import dev.kiln.artifact.Manifest;
import dev.kiln.link.protocol.ReplyCode;
import dev.kiln.profile.Compatibility;
import dev.kiln.profile.CompatibilityResult;
import dev.kiln.profile.DeviceProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;

/**
 * The simulated device's checks between "downloaded" and "installed": unpack, verify checksums and
 * signature with the trusted keys, and check the manifest against the device profile (the agent's
 * artifact store does the same for real). Returns the refusal reason instead of throwing, because
 * it goes back to the console as the reply message.
 */
public final class ArtifactInstaller {
  /** The result: the unpacked artifact, or why it was refused (and the reply code saying so). */
  public record Outcome(Artifact artifact, ReplyCode code, String refusal) {
    public boolean ok() {
      return refusal == null;
    }
  }

  private final DeviceProfile profile;
  private final Map<String, PublicKey> trustedKeys;

  public ArtifactInstaller(DeviceProfile profile, Map<String, PublicKey> trustedKeys) {
    this.profile = profile;
    this.trustedKeys = Map.copyOf(trustedKeys);
  }

  public Outcome install(Path kiln, Path dest) throws IOException {
    if (Files.exists(dest)) {
      ArtifactWriter.deleteTree(dest);
    }
    Artifact a;
    try {
      a = Artifact.unpack(kiln, dest);
      a.verify(trustedKeys, true);
    } catch (RuntimeException e) {
      return new Outcome(
          null, ReplyCode.ARTIFACT_REJECTED, "artifact failed verification: " + e.getMessage());
    }
    Manifest m = a.manifest();
    List<String> eps = m.engine() == null ? List.of() : m.engine().executionProviders();
    CompatibilityResult c =
        Compatibility.check(m.target().arch(), m.target().profile(), eps(eps), profile);
    return c.ok()
        ? new Outcome(a, null, null)
        : new Outcome(null, ReplyCode.INCOMPATIBLE_ARTIFACT, c.reason());
  }

  private static List<String> eps(List<String> l) {
    return l == null ? List.of() : l;
  }
}
