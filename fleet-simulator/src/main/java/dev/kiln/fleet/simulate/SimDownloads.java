package dev.kiln.fleet.simulate;

import dev.kiln.link.deploy.ArtifactSource;
import dev.kiln.link.protocol.DeployPayload;
import dev.kiln.link.protocol.InboundMessage;
import dev.kiln.link.protocol.MessageProps;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.Topics;
import dev.kiln.link.protocol.transfer.ArtifactChunk;
import dev.kiln.link.protocol.transfer.ChunkRequest;
import dev.kiln.link.transfer.ArtifactDownloads;
import dev.kiln.link.transfer.ChunkReceiver;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * The simulated device's one download at a time, driven by events instead of a waiting thread (a
 * pool serves thousands of devices): asks for missing chunks a window at a time, re-asks after a
 * reconnect or a stall, with the windows and stall limit of the agent's {@link ArtifactDownloads}.
 * Runs on the device's executor, one task at a time; only {@link #active} is read from elsewhere.
 */
final class SimDownloads implements ArtifactSource {
  private final SimConfig config;
  private final SimulatedDevice device;
  private volatile ChunkReceiver receiver;
  private String sha;
  private IntConsumer percent;
  private Consumer<Path> done;
  private long lastChunkAt;

  SimDownloads(SimConfig config, SimulatedDevice device) {
    this.config = config;
    this.device = device;
  }

  @Override
  public String refusal(DeployPayload.Artifact a) {
    return ArtifactDownloads.shapeRefusal(a.sha256(), a.size(), a.chunkSize());
  }

  /** Starts (or resumes) a download; a new one replaces any still under way. */
  @Override
  public void fetch(
      DeployPayload.Artifact a,
      IntConsumer percent,
      Consumer<Path> done,
      Consumer<Exception> failed) {
    ChunkReceiver r =
        new ChunkReceiver(
            config.dataDir().resolve("downloads"),
            a.sha256(),
            a.size(),
            a.chunkSize(),
            ArtifactDownloads.WINDOW);
    if (r.complete()) {
      receiver = null;
      done.accept(r.finalFile());
      return;
    }
    this.sha = a.sha256();
    this.percent = percent;
    this.done = done;
    this.receiver = r;
    request();
  }

  /** The simulated store is the unpacked copy; keeping the download makes a re-deploy instant. */
  @Override
  public void discard(String sha256) {}

  void chunk(InboundMessage m) throws Exception {
    ChunkReceiver r = receiver;
    if (r == null) {
      return;
    }
    ArtifactChunk c = ArtifactChunk.from(m.payload(), m.props());
    lastChunkAt = System.currentTimeMillis();
    if (r.accept(c)) {
      receiver = null;
      done.accept(r.finalFile());
      return;
    }
    percent.accept(r.received() * 100 / r.total());
    if (r.received() % ArtifactDownloads.WINDOW == 0) {
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
        && System.currentTimeMillis() - lastChunkAt > ArtifactDownloads.STALL.toMillis()) {
      request();
    }
  }

  private void request() {
    lastChunkAt = System.currentTimeMillis();
    ChunkRequest req = receiver.nextRequest();
    if (req == null) {
      return;
    }
    MessageProps props =
        new MessageProps(
            "application/json",
            null,
            Topics.artifactChunks(config.deviceId(), sha),
            null,
            Map.of());
    device.request(Topics.artifactGet(sha), ProtocolJson.write(req), props);
  }
}
