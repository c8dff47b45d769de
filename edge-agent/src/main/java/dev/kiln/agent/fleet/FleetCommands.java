package dev.kiln.agent.fleet;

import dev.kiln.agent.AgentException;
import dev.kiln.agent.serving.ModelManager;
import dev.kiln.agent.serving.ModelManager.Placement;
import dev.kiln.agent.store.ModelState;
import dev.kiln.agent.store.VersionState;
import dev.kiln.link.command.CommandHandler;
import dev.kiln.link.command.CommandResponder;
import dev.kiln.link.protocol.Command;
import dev.kiln.link.protocol.DeployPayload;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.ReplyCode;
import dev.kiln.link.protocol.RollbackPayload;
import dev.kiln.link.protocol.Slot;
import dev.kiln.link.transfer.ArtifactDownloads;
import dev.kiln.profile.Compatibility;
import dev.kiln.profile.CompatibilityResult;
import dev.kiln.profile.DeviceProfile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's side of a fleet rollout: {@code deploy} (check the target, download over MQTT,
 * install, health-check, put in its slot) and {@code rollback}. Commands reach here only after
 * device-link verified their signature, addressee, expiry and freshness. A refusal (wrong arch,
 * untrusted artifact) replies REJECTED, which the console shows as REFUSED; a version that does not
 * pass its health check replies FAILED and the previous version keeps serving.
 */
public final class FleetCommands implements CommandHandler {
  private static final Logger LOG = LoggerFactory.getLogger(FleetCommands.class);
  static final Duration DOWNLOAD_TIMEOUT = Duration.ofMinutes(10);

  private final ModelManager models;
  private final DeviceProfile profile;
  private final ArtifactDownloads downloads;
  private final Runnable onActivated;

  /**
   * @param onActivated run after a new version takes its slot, so the next heartbeat's health
   *     figures describe only traffic served since (what a canary's gate must judge)
   */
  public FleetCommands(
      ModelManager models,
      DeviceProfile profile,
      ArtifactDownloads downloads,
      Runnable onActivated) {
    this.models = models;
    this.profile = profile;
    this.downloads = downloads;
    this.onActivated = onActivated;
  }

  @Override
  public void handle(Command command, CommandResponder reply) throws Exception {
    switch (command.type()) {
      case DeployPayload.TYPE -> deploy(read(command, DeployPayload.class), reply);
      case RollbackPayload.TYPE -> rollback(read(command, RollbackPayload.class), reply);
      default ->
          reply.rejected(
              ReplyCode.UNKNOWN_COMMAND,
              "unknown command type '" + command.type() + "'; this agent handles deploy, rollback");
    }
  }

  private void deploy(DeployPayload p, CommandResponder reply) throws Exception {
    String variant = p.variant() == null ? Slot.PRIMARY.wireName() : p.variant();
    if (p.model() == null || p.version() == null || p.artifact() == null) {
      reply.rejected(ReplyCode.INVALID_COMMAND, "deploy command lacks model, version or artifact");
      return;
    }
    Slot slot = Slot.fromWire(variant).orElse(null);
    if (slot == null) {
      reply.rejected(
          ReplyCode.INVALID_COMMAND,
          "unknown variant '" + variant + "'; use one of " + Slot.wireNames());
      return;
    }
    if (p.artifact().url() != null) {
      reply.rejected(
          ReplyCode.INVALID_COMMAND,
          "this agent downloads artifacts over MQTT only; the deploy set artifact.url");
      return;
    }
    CompatibilityResult fit = precheck(p);
    if (!fit.ok()) {
      reply.rejected(ReplyCode.UNSUPPORTED_TARGET, fit.reason());
      return;
    }
    if (p.version().equals(FleetSlots.versionIn(models.state(p.model()), variant))) {
      reply.succeeded("already active: " + p.model() + "@" + p.version() + " (" + variant + ")");
      return;
    }
    String sha = p.artifact().sha256();
    // Serving in another role already (blue/green's switch, a b or shadow promoted): no download.
    boolean serving = models.state(p.model()).stateOf(p.version()) == VersionState.ACTIVE;
    String unfit =
        serving ? null : downloads.refusal(sha, p.artifact().size(), p.artifact().chunkSize());
    if (unfit != null) {
      reply.rejected(ReplyCode.TRANSFER_REFUSED, unfit);
      return;
    }
    reply.accept();
    Path file = serving ? null : download(p, reply);
    try {
      place(
          p,
          slot,
          (placement, weight) ->
              file == null
                  ? models.placeActive(p.model(), p.version(), placement, weight)
                  : models.install(file, placement, weight, false));
    } catch (AgentException e) {
      LOG.warn("deploy of {}@{} not done: {}", p.model(), p.version(), e.getMessage());
      switch (e.code()) {
        case ARTIFACT_REJECTED -> reply.rejected(ReplyCode.ARTIFACT_REJECTED, e.getMessage());
        case INCOMPATIBLE_ARTIFACT -> reply.rejected(ReplyCode.UNSUPPORTED_TARGET, e.getMessage());
        case HEALTH_CHECK_FAILED -> reply.failed(ReplyCode.HEALTH_CHECK_FAILED, e.getMessage());
        default -> reply.failed(ReplyCode.ACTIVATION_FAILED, e.getMessage());
      }
      return;
    } finally {
      if (file != null) {
        downloads.discard(sha);
      }
    }
    onActivated.run();
    LOG.info("fleet deploy: {}@{} is {}", p.model(), p.version(), variant);
    reply.succeeded("now serving " + p.model() + "@" + p.version() + " as " + variant);
  }

  private Path download(DeployPayload p, CommandResponder reply) throws Exception {
    int[] last = {-1};
    return downloads.fetch(
        p.artifact().sha256(),
        p.artifact().size(),
        p.artifact().chunkSize(),
        DOWNLOAD_TIMEOUT,
        percent -> {
          // Every 10%: enough for a progress bar, few enough for a fleet of thousands.
          if (percent / 10 > last[0] / 10) {
            last[0] = percent;
            reply.progress(percent, "downloading");
          }
        });
  }

  /** Puts the version in service in a role: from its downloaded file, or from the role it has. */
  @FunctionalInterface
  private interface Placer {
    ModelState place(Placement placement, double weight);
  }

  private void place(DeployPayload p, Slot slot, Placer placer) {
    switch (slot) {
      case GREEN -> placer.place(Placement.VARIANT, 0.0);
      case SHADOW -> placer.place(Placement.SHADOW, 0.0);
      case B -> {
        List<Integer> w = p.trafficWeights();
        double a = w == null || w.size() != 2 ? 50 : w.get(0);
        double b = w == null || w.size() != 2 ? 50 : w.get(1);
        String primary = FleetSlots.versionIn(models.state(p.model()), Slot.PRIMARY.wireName());
        ModelState s = placer.place(Placement.VARIANT, b);
        if (primary != null && !primary.equals(p.version())) {
          models.setTraffic(
              p.model(),
              List.of(new ModelState.Variant(primary, a), new ModelState.Variant(p.version(), b)),
              s.shadow());
        }
      }
      case PRIMARY -> {
        // Blue/green's switch: green takes all traffic and blue stays loaded, so a rollback is
        // a switch back, not a reload.
        boolean fromGreen =
            p.version()
                .equals(FleetSlots.versionIn(models.state(p.model()), Slot.GREEN.wireName()));
        placer.place(fromGreen ? Placement.SWITCH : Placement.REPLACE, 1.0);
      }
    }
  }

  /**
   * Back to {@code toVersion} as the only production version, dropping b, green and shadow; or out
   * of service entirely when the model had no previous version.
   */
  private void rollback(RollbackPayload p, CommandResponder reply) {
    if (p.model() == null) {
      reply.rejected(ReplyCode.INVALID_COMMAND, "rollback command names no model");
      return;
    }
    ModelState s = models.state(p.model());
    try {
      if (p.remove()) {
        if (!s.activeVersions().isEmpty()) {
          models.unload(p.model());
        }
        reply.succeeded(p.model() + " removed from service");
        return;
      }
      String to =
          p.toVersion() != null ? p.toVersion() : FleetSlots.versionIn(s, Slot.PRIMARY.wireName());
      List<ModelState.Variant> production = new ArrayList<>();
      if (to != null) {
        production.add(new ModelState.Variant(to, 1.0));
      }
      models.setTraffic(p.model(), production, null);
      reply.succeeded("back on " + p.model() + "@" + to);
    } catch (AgentException e) {
      reply.failed(ReplyCode.ROLLBACK_FAILED, e.getMessage());
    }
  }

  private CompatibilityResult precheck(DeployPayload p) {
    DeployPayload.Target t = p.target();
    if (t == null) {
      return CompatibilityResult.compatible("no target in the command; checked at install");
    }
    List<String> eps = t.executionProviders() == null ? List.of() : t.executionProviders();
    return Compatibility.check(t.arch(), t.profile(), eps, profile);
  }

  private static <T> T read(Command c, Class<T> type) throws Exception {
    return ProtocolJson.mapper().treeToValue(c.payload(), type);
  }
}
