package dev.kiln.agent.fleet;

import dev.kiln.agent.AgentException;
import dev.kiln.agent.bandit.Bandits;
import dev.kiln.agent.serving.ModelManager;
import dev.kiln.agent.serving.ModelManager.Placement;
import dev.kiln.agent.store.InstalledModel;
import dev.kiln.agent.store.VersionState;
import dev.kiln.link.deploy.DeployFailure;
import dev.kiln.link.deploy.DeployTarget;
import dev.kiln.link.protocol.DeployPayload;
import dev.kiln.link.protocol.ReplyCode;
import dev.kiln.link.protocol.Slot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent's slots for the deploy core: the model manager's traffic split read as slots ({@link
 * FleetSlots}), and each slot's placement in its terms. Installing verifies the artifact and runs
 * its health check before it takes traffic.
 */
final class AgentSlots implements DeployTarget {
  private final ModelManager models;
  private final Bandits bandits;

  AgentSlots(ModelManager models, Bandits bandits) {
    this.models = models;
    this.bandits = bandits;
  }

  @Override
  public String versionIn(String model, Slot slot) {
    return FleetSlots.versionIn(models.state(model), slot.wireName());
  }

  @Override
  public boolean serving(String model, String version) {
    return models.state(model).stateOf(version) == VersionState.ACTIVE;
  }

  @Override
  public void install(DeployPayload p, Slot slot, Path artifact) throws DeployFailure {
    place(p, slot, (placement, weight) -> models.install(artifact, placement, weight, false));
  }

  @Override
  public void move(DeployPayload p, Slot slot) throws DeployFailure {
    place(
        p,
        slot,
        (placement, weight) -> models.placeActive(p.model(), p.version(), placement, weight));
  }

  @Override
  public void rollBack(String model, String toVersion) throws DeployFailure {
    List<InstalledModel.Variant> production = new ArrayList<>();
    if (toVersion != null) {
      production.add(new InstalledModel.Variant(toVersion, 1.0));
    }
    try {
      models.setTraffic(model, production, null);
      bandits.disableFromFleet(model);
    } catch (IOException e) {
      throw DeployFailure.failed(ReplyCode.ROLLBACK_FAILED, "bandit state: " + e.getMessage());
    } catch (AgentException e) {
      throw DeployFailure.failed(ReplyCode.ROLLBACK_FAILED, e.getMessage());
    }
  }

  @Override
  public void remove(String model) throws DeployFailure {
    try {
      if (!models.state(model).activeVersions().isEmpty()) {
        models.unload(model);
      }
      bandits.disableFromFleet(model);
    } catch (IOException e) {
      throw DeployFailure.failed(ReplyCode.ROLLBACK_FAILED, "bandit state: " + e.getMessage());
    } catch (AgentException e) {
      throw DeployFailure.failed(ReplyCode.ROLLBACK_FAILED, e.getMessage());
    }
  }

  /** Puts the version in service in a role: from its downloaded file, or from the role it has. */
  @FunctionalInterface
  private interface Placer {
    InstalledModel place(Placement placement, double weight);
  }

  private void place(DeployPayload p, Slot slot, Placer placer) throws DeployFailure {
    try {
      switch (slot) {
        case GREEN -> placer.place(Placement.VARIANT, 0.0);
        case SHADOW -> placer.place(Placement.SHADOW, 0.0);
        case B -> {
          // The fleet's bandit strategy: the arms share traffic by bandit, not by the weights.
          if (DeployPayload.BANDIT.equals(p.routing())) {
            bandits.enable(p.model());
          } else {
            bandits.disableFromFleet(p.model());
          }
          List<Integer> w = p.trafficWeights();
          double a = w == null || w.size() != 2 ? 50 : w.get(0);
          double b = w == null || w.size() != 2 ? 50 : w.get(1);
          String primary = versionIn(p.model(), Slot.PRIMARY);
          InstalledModel s = placer.place(Placement.VARIANT, b);
          if (primary != null && !primary.equals(p.version())) {
            models.setTraffic(
                p.model(),
                List.of(
                    new InstalledModel.Variant(primary, a),
                    new InstalledModel.Variant(p.version(), b)),
                s.shadow());
          }
        }
        case C, D, E, F, G, H -> {
          // A further bandit arm joins the arms already there (primary, b, ...), never replaces
          // one.
          if (!DeployPayload.BANDIT.equals(p.routing())) {
            throw DeployFailure.refused(
                ReplyCode.ACTIVATION_FAILED,
                "variant "
                    + slot.wireName()
                    + " is an extra bandit arm; deploy it with routing \"bandit\"");
          }
          bandits.enable(p.model());
          placer.place(Placement.VARIANT, 50);
        }
        case PRIMARY -> {
          // Blue/green's switch: green takes all traffic and blue stays loaded, so a rollback is
          // a switch back, not a reload.
          boolean fromGreen = p.version().equals(versionIn(p.model(), Slot.GREEN));
          placer.place(fromGreen ? Placement.SWITCH : Placement.REPLACE, 1.0);
          bandits.disableFromFleet(p.model());
        }
      }
    } catch (IOException e) {
      throw DeployFailure.failed(ReplyCode.ACTIVATION_FAILED, "bandit state: " + e.getMessage());
    } catch (AgentException e) {
      throw switch (e.code()) {
        case ARTIFACT_REJECTED ->
            DeployFailure.refused(ReplyCode.ARTIFACT_REJECTED, e.getMessage());
        case INCOMPATIBLE_ARTIFACT ->
            DeployFailure.refused(ReplyCode.INCOMPATIBLE_ARTIFACT, e.getMessage());
        case HEALTH_CHECK_FAILED ->
            DeployFailure.failed(ReplyCode.HEALTH_CHECK_FAILED, e.getMessage());
        default -> DeployFailure.failed(ReplyCode.ACTIVATION_FAILED, e.getMessage());
      };
    }
  }
}
