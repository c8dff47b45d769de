package dev.kiln.fleet.simulate;

import dev.kiln.link.deploy.DeployFailure;
import dev.kiln.link.deploy.DeployTarget;
import dev.kiln.link.protocol.DeployPayload;
import dev.kiln.link.protocol.ReplyCode;
import dev.kiln.link.protocol.Slot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A simulated device's slots for the deploy core: a map from slot key ({@code model} for primary,
 * {@code model#variant} otherwise, see {@link Slot#key}) to version. Installing really unpacks and
 * verifies the artifact; "activating" only records the version, or fails it when {@link
 * SimBehavior#failActivation} names it.
 */
final class SimSlots implements DeployTarget {
  private final Map<String, String> active;
  private final ArtifactInstaller installer;
  private final Path installed;
  private final SimBehavior behavior;

  SimSlots(
      Map<String, String> active,
      ArtifactInstaller installer,
      Path installed,
      SimBehavior behavior) {
    this.active = active;
    this.installer = installer;
    this.installed = installed;
    this.behavior = behavior;
  }

  @Override
  public String versionIn(String model, Slot slot) {
    return active.get(Slot.key(model, slot));
  }

  @Override
  public boolean serving(String model, String version) {
    return active.entrySet().stream()
        .anyMatch(e -> ofModel(e.getKey(), model) && e.getValue().equals(version));
  }

  @Override
  public void install(DeployPayload p, Slot slot, Path artifact) throws DeployFailure {
    ArtifactInstaller.Outcome outcome;
    try {
      outcome = installer.install(artifact, installed.resolve(p.artifact().sha256()));
    } catch (IOException e) {
      throw DeployFailure.failed(ReplyCode.ACTIVATION_FAILED, "cannot unpack: " + e.getMessage());
    }
    if (!outcome.ok()) {
      throw DeployFailure.refused(outcome.code(), outcome.refusal());
    }
    move(p, slot);
  }

  @Override
  public void move(DeployPayload p, Slot slot) throws DeployFailure {
    if (behavior.failActivation().contains(p.version())) {
      throw DeployFailure.failed(
          ReplyCode.ACTIVATION_FAILED,
          "simulated activation failure of " + p.model() + "@" + p.version());
    }
    if (slot == Slot.PRIMARY) {
      active.remove(Slot.key(p.model(), Slot.GREEN));
    }
    active.put(Slot.key(p.model(), slot), p.version());
  }

  @Override
  public void rollBack(String model, String toVersion) {
    active.keySet().removeIf(k -> k.startsWith(model + "#"));
    if (toVersion != null) {
      active.put(model, toVersion);
    }
  }

  @Override
  public void remove(String model) {
    active.keySet().removeIf(k -> ofModel(k, model));
  }

  private static boolean ofModel(String key, String model) {
    return Slot.splitKey(key)[0].equals(model);
  }
}
