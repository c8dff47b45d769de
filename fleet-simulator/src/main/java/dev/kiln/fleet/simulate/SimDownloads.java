package dev.kiln.fleet.simulate;

import dev.kiln.link.deploy.ArtifactSource;
import dev.kiln.link.protocol.DeployPayload;
import dev.kiln.link.protocol.InboundMessage;
import dev.kiln.link.transfer.ArtifactDownload;
import dev.kiln.link.transfer.ArtifactDownloads;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * The simulated device's one download at a time: the agent's own {@link ArtifactDownload} (windows,
 * stall re-asks, progress, the hash-failure limit), fed by chunk events and a timer instead of a
 * waiting thread, since a pool serves thousands of devices. Runs on the device's executor, one task
 * at a time; only {@link #active} is read from elsewhere.
 */
final class SimDownloads implements ArtifactSource {
  private final SimConfig config;
  private final SimulatedDevice device;
  private volatile ArtifactDownload download;
  private Consumer<Path> done;
  private Consumer<Exception> failed;

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
    ArtifactDownload d =
        new ArtifactDownload(
            config.deviceId(),
            config.dataDir().resolve("downloads"),
            a.sha256(),
            a.size(),
            a.chunkSize(),
            device::request,
            percent);
    if (d.complete()) {
      download = null;
      done.accept(d.file());
      return;
    }
    this.done = done;
    this.failed = failed;
    this.download = d;
    d.start(System.nanoTime());
  }

  /** The simulated store is the unpacked copy; keeping the download makes a re-deploy instant. */
  @Override
  public void discard(String sha256) {}

  void chunk(InboundMessage m) {
    ArtifactDownload d = download;
    if (d == null) {
      return;
    }
    try {
      if (d.onChunk(m, System.nanoTime())) {
        download = null;
        done.accept(d.file());
      }
    } catch (IOException | RuntimeException e) {
      download = null;
      failed.accept(e);
    }
  }

  /** After a reconnect: ask again for what is still missing. */
  void resume() {
    ArtifactDownload d = download;
    if (d != null) {
      d.onReconnect(System.nanoTime());
    }
  }

  /** Whether a download is under way: the stall timer looks here before queuing a check. */
  boolean active() {
    return download != null;
  }

  void resendIfStalled() {
    ArtifactDownload d = download;
    if (d != null) {
      d.onTick(System.nanoTime());
    }
  }
}
