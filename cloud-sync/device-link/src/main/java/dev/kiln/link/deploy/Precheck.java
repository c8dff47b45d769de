package dev.kiln.link.deploy;

import dev.kiln.link.protocol.DeployPayload;
import dev.kiln.profile.Compatibility;
import dev.kiln.profile.CompatibilityResult;
import dev.kiln.profile.DeviceProfile;
import java.util.List;

/**
 * The cheap check before downloading, from the deploy command's own {@code target}: is the artifact
 * built for this device's profile and arch. The manifest is checked again at install.
 */
public final class Precheck {
  private Precheck() {}

  public static CompatibilityResult of(DeployPayload p, DeviceProfile profile) {
    DeployPayload.Target t = p.target();
    if (t == null) {
      return CompatibilityResult.compatible("no target in the command; checked at install");
    }
    List<String> eps = t.executionProviders() == null ? List.of() : t.executionProviders();
    return Compatibility.check(t.arch(), t.profile(), eps, profile);
  }
}
