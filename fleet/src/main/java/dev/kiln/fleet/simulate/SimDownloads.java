package dev.kiln.fleet.simulate;

import dev.kiln.link.protocol.CommandReply;
import dev.kiln.link.protocol.DeployPayload;
import dev.kiln.link.protocol.InboundMessage;
import dev.kiln.link.protocol.MessageProps;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.ReplyCode;
import dev.kiln.link.protocol.Slot;
import dev.kiln.link.protocol.Topics;
import dev.kiln.link.protocol.transfer.ArtifactChunk;
import dev.kiln.link.protocol.transfer.ChunkRequest;
import dev.kiln.link.transfer.ChunkReceiver;
import dev.kiln.profile.CompatibilityResult;
import java.util.Map;

/**
 * The simulated device's one download at a time: asks for missing chunks a window at a time,
 * re-asks after a reconnect or a stall, then installs and activates. Runs on the device's executor,
 * one task at a time; only {@link #active} is read from elsewhere.
 */
final class SimDownloads {
  static final int WINDOW = 8;
  private static final long STALL_MS = 5_000;

  private final SimConfig config;
  private final ArtifactInstaller installer;
  private final SimulatedDevice device;
  private volatile ChunkReceiver receiver;
  private DeployPayload payload;
  private String commandId;
  private long lastChunkAt;
  private int lastPercent;

  SimDownloads(SimConfig config, ArtifactInstaller installer, SimulatedDevice device) {
    this.config = config;
    this.installer = installer;
    this.device = device;
  }

  void deploy(String cmdId, DeployPayload p) throws Exception {
    CompatibilityResult c = installer.precheck(p);
    if (!c.ok()) {
      device.reply(
          cmdId, CommandReply.Status.REJECTED, ReplyCode.UNSUPPORTED_TARGET, null, c.reason());
      return;
    }
    String slot = Slot.key(p.model(), p.variant());
    ChunkReceiver r =
        new ChunkReceiver(
            config.dataDir().resolve("downloads"),
            p.artifact().sha256(),
            p.artifact().size(),
            p.artifact().chunkSize(),
            WINDOW);
    device.reply(cmdId, CommandReply.Status.ACCEPTED, null, null, null);
    commandId = cmdId;
    payload = p;
    receiver = r;
    lastPercent = 0;
    if (p.version().equals(device.activeVersion(slot))) {
      receiver = null;
      device.reply(cmdId, CommandReply.Status.SUCCEEDED, null, 100, "already active");
      return;
    }
    if (r.complete()) {
      finish();
      return;
    }
    request();
  }

  void chunk(InboundMessage m) throws Exception {
    if (receiver == null) {
      return;
    }
    ArtifactChunk c = ArtifactChunk.from(m.payload(), m.props());
    lastChunkAt = System.currentTimeMillis();
    if (receiver.accept(c)) {
      finish();
      return;
    }
    int percent = receiver.received() * 100 / receiver.total();
    if (percent / 25 > lastPercent / 25) {
      lastPercent = percent;
      device.reply(commandId, CommandReply.Status.IN_PROGRESS, null, percent, "downloading");
    }
    if (receivedWindow()) {
      request();
    }
  }

  /** After a reconnect: ask again for what is still missing. */
  void resume() {
    if (receiver != null && !receiver.complete()) {
      request();
    }
  }

  /** Whether a download is under way: the stall timer looks here before queuing a check. */
  boolean active() {
    return receiver != null;
  }

  void resendIfStalled() {
    if (receiver != null
        && !receiver.complete()
        && System.currentTimeMillis() - lastChunkAt > STALL_MS) {
      request();
    }
  }

  private boolean receivedWindow() {
    return receiver.received() % WINDOW == 0;
  }

  private void request() {
    lastChunkAt = System.currentTimeMillis();
    ChunkRequest req = receiver.nextRequest();
    if (req == null) {
      return;
    }
    String sha = payload.artifact().sha256();
    MessageProps props =
        new MessageProps(
            "application/json",
            null,
            Topics.artifactChunks(config.deviceId(), sha),
            null,
            Map.of());
    device.request(Topics.artifactGet(sha), ProtocolJson.write(req), props);
  }

  private void finish() throws Exception {
    DeployPayload p = payload;
    String cmd = commandId;
    receiver = null;
    var outcome =
        installer.install(
            config.dataDir().resolve("downloads").resolve(p.artifact().sha256() + ".kiln"),
            config.dataDir().resolve("installed").resolve(p.artifact().sha256()));
    if (!outcome.ok()) {
      device.reply(
          cmd, CommandReply.Status.REJECTED, ReplyCode.ARTIFACT_REJECTED, null, outcome.refusal());
      return;
    }
    if (config.behavior().failActivation().contains(p.version())) {
      device.reply(
          cmd,
          CommandReply.Status.FAILED,
          ReplyCode.ACTIVATION_FAILED,
          null,
          "simulated activation failure of " + p.model() + "@" + p.version());
      return;
    }
    if (Slot.PRIMARY.wireName().equals(p.variant())) {
      device.active.remove(Slot.key(p.model(), Slot.GREEN.wireName()));
    }
    device.active.put(Slot.key(p.model(), p.variant()), p.version());
    device.reply(
        cmd, CommandReply.Status.SUCCEEDED, null, 100, "active: " + p.model() + "@" + p.version());
    device.activated();
  }
}
