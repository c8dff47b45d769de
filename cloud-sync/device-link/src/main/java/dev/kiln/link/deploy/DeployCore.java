package dev.kiln.link.deploy;

import dev.kiln.link.command.Replier;
import dev.kiln.link.protocol.Command;
import dev.kiln.link.protocol.DeployPayload;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.ReplyCode;
import dev.kiln.link.protocol.RollbackPayload;
import dev.kiln.link.protocol.Slot;
import dev.kiln.profile.CompatibilityResult;
import dev.kiln.profile.DeviceProfile;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device side of a rollout, for the agent and the fleet simulator alike: {@code deploy}
 * (validate, check the target, download, install, put in its slot) and {@code rollback}, each with
 * its replies. Commands reach here only after {@code CommandVerifier} accepted them. A refusal
 * (wrong arch, untrusted artifact) replies REJECTED, which the console shows as REFUSED; a version
 * that fails to load or pass its health check replies FAILED and the previous version keeps
 * serving. What is installed where, and how, is the {@link DeployTarget}'s business.
 */
public final class DeployCore {
  private static final Logger LOG = LoggerFactory.getLogger(DeployCore.class);

  /** What the device does once a command took effect. */
  public interface Events {
    /** A new version took its slot: health figures should restart from here. */
    default void activated() {}

    /** A rollback finished. */
    default void rolledBack() {}
  }

  private final DeviceProfile profile;
  private final DeployTarget target;
  private final ArtifactSource source;
  private final int progressStep;
  private final Events events;

  /**
   * @param progressStep percent of the download between two IN_PROGRESS replies: enough for a
   *     progress bar, few enough for a fleet of thousands
   */
  public DeployCore(
      DeviceProfile profile,
      DeployTarget target,
      ArtifactSource source,
      int progressStep,
      Events events) {
    this.profile = profile;
    this.target = target;
    this.source = source;
    this.progressStep = progressStep;
    this.events = events;
  }

  /** Runs a verified command; a payload that does not parse throws. */
  public void handle(Command command, Replier reply) throws Exception {
    switch (command.type()) {
      case DeployPayload.TYPE -> deploy(read(command, DeployPayload.class), reply);
      case RollbackPayload.TYPE -> rollback(read(command, RollbackPayload.class), reply);
      default ->
          reply.rejected(
              ReplyCode.UNKNOWN_COMMAND,
              "unknown command type '"
                  + command.type()
                  + "'; this device handles deploy, rollback");
    }
  }

  public void deploy(DeployPayload p, Replier reply) {
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
    CompatibilityResult fit = Precheck.of(p, profile);
    if (!fit.ok()) {
      reply.rejected(ReplyCode.INCOMPATIBLE_ARTIFACT, fit.reason());
      return;
    }
    if (p.version().equals(target.versionIn(p.model(), slot))) {
      reply.succeeded("already active: " + p.model() + "@" + p.version() + " (" + variant + ")");
      return;
    }
    // Serving in another role already (blue/green's switch, a b or shadow promoted): no download.
    if (target.serving(p.model(), p.version())) {
      reply.accept();
      place(p, slot, null, reply);
      return;
    }
    String unfit = source.refusal(p.artifact());
    if (unfit != null) {
      reply.rejected(ReplyCode.TRANSFER_REFUSED, unfit);
      return;
    }
    reply.accept();
    int[] last = {-1};
    source.fetch(
        p.artifact(),
        percent -> {
          if (percent / progressStep > last[0] / progressStep) {
            last[0] = percent;
            reply.progress(percent, "downloading");
          }
        },
        file -> place(p, slot, file, reply),
        e -> {
          LOG.warn("download of {}@{} failed: {}", p.model(), p.version(), e.getMessage());
          reply.failed(ReplyCode.DOWNLOAD_FAILED, String.valueOf(e.getMessage()));
        });
  }

  /** Puts the version in service in its slot: from the downloaded file, or from the role it has. */
  private void place(DeployPayload p, Slot slot, Path file, Replier reply) {
    try {
      if (file == null) {
        target.move(p, slot);
      } else {
        target.install(p, slot, file);
      }
    } catch (DeployFailure e) {
      LOG.warn("deploy of {}@{} not done: {}", p.model(), p.version(), e.getMessage());
      if (e.refused()) {
        reply.rejected(e.code(), e.getMessage());
      } else {
        reply.failed(e.code(), e.getMessage());
      }
      return;
    } finally {
      if (file != null) {
        source.discard(p.artifact().sha256());
      }
    }
    events.activated();
    LOG.debug("deploy: {}@{} is {}", p.model(), p.version(), slot.wireName());
    reply.succeeded("now serving " + p.model() + "@" + p.version() + " as " + slot.wireName());
  }

  /**
   * Back to {@code toVersion} (or the primary it has) as the only production version, dropping b,
   * green and shadow; or out of service entirely when the model had no previous version.
   */
  public void rollback(RollbackPayload p, Replier reply) {
    if (p.model() == null) {
      reply.rejected(ReplyCode.INVALID_COMMAND, "rollback command names no model");
      return;
    }
    try {
      if (p.remove()) {
        target.remove(p.model());
        reply.succeeded(p.model() + " removed from service");
      } else {
        String to =
            p.toVersion() != null ? p.toVersion() : target.versionIn(p.model(), Slot.PRIMARY);
        target.rollBack(p.model(), to);
        reply.succeeded("back on " + p.model() + "@" + to);
      }
    } catch (DeployFailure e) {
      reply.failed(ReplyCode.ROLLBACK_FAILED, e.getMessage());
      return;
    }
    events.rolledBack();
  }

  private static <T> T read(Command c, Class<T> type) throws Exception {
    return ProtocolJson.payload(c.payload(), type);
  }
}
