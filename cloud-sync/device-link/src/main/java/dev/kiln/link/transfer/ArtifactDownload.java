package dev.kiln.link.transfer;

import dev.kiln.link.error.LinkException;
import dev.kiln.link.protocol.InboundMessage;
import dev.kiln.link.protocol.MessageProps;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.Topics;
import dev.kiln.link.protocol.transfer.ArtifactChunk;
import dev.kiln.link.protocol.transfer.ChunkRequest;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One artifact download as a state machine fed with events: chunks as they arrive, the passing of
 * time, a reconnect. It asks for missing chunks a window at a time, asks again when nothing has
 * come for {@link #STALL} or after a reconnect, reports progress once per percent, and gives up
 * after {@link #MAX_HASH_FAILURES} assembled files fail their SHA-256 check. Every device runs this
 * one: the agent feeds it from a queue on its command thread ({@link ArtifactDownloads}), the fleet
 * simulator from chunk events on each device's executor. Not thread-safe.
 */
public final class ArtifactDownload {
  private static final Logger LOG = LoggerFactory.getLogger(ArtifactDownload.class);

  /** Chunks asked for at once; the next window is asked for when this one has arrived. */
  public static final int WINDOW = 8;

  /** Nothing heard this long: ask again (chunks travel at QoS 0 and may be lost). */
  public static final Duration STALL = Duration.ofSeconds(5);

  /** Whole-file hash failures before the download is given up (each one starts it over). */
  static final int MAX_HASH_FAILURES = 3;

  /** Sends a chunk request; the response topic is in {@code props}. */
  @FunctionalInterface
  public interface Requester {
    void request(String topic, byte[] payload, MessageProps props);
  }

  private final String deviceId;
  private final String sha256;
  private final ChunkReceiver receiver;
  private final Requester requester;
  private final IntConsumer progress;
  private long lastActivityNanos;
  private int hashFailures;
  private int lastPercent = -1;

  /**
   * Resumes whatever an earlier attempt (or process) stored for this artifact under {@code dir}.
   *
   * @param progress called with 0..100 as chunks arrive, at most once per percent
   */
  public ArtifactDownload(
      String deviceId,
      Path dir,
      String sha256,
      long size,
      int chunkSize,
      Requester requester,
      IntConsumer progress) {
    this.deviceId = deviceId;
    this.sha256 = sha256;
    this.receiver = new ChunkReceiver(dir, sha256, size, chunkSize, WINDOW);
    this.requester = requester;
    this.progress = progress;
  }

  /** True when the file is stored whole and checked; {@link #file()} is then ready. */
  public boolean complete() {
    return receiver.complete();
  }

  public Path file() {
    return receiver.finalFile();
  }

  /** "N of M chunks stored", for messages about a download that did not finish. */
  public String stored() {
    return receiver.received() + " of " + receiver.total() + " chunks stored";
  }

  /** Asks for the first window, or reports 100 % when the file is already complete. */
  public void start(long nowNanos) {
    if (complete()) {
      progress.accept(100);
      return;
    }
    ask(nowNanos);
  }

  /**
   * Stores one chunk message. Returns true when that completed the file. A malformed message is
   * logged and ignored, as is a chunk of another artifact.
   *
   * @throws LinkException TRANSFER_FAILED when assembled files keep failing their SHA-256 check
   * @throws IOException when the chunk cannot be written
   */
  public boolean onChunk(InboundMessage m, long nowNanos) throws IOException {
    ArtifactChunk chunk;
    try {
      chunk = ArtifactChunk.from(m.payload(), m.props());
    } catch (LinkException e) {
      LOG.warn("{}", e.getMessage());
      return false;
    }
    lastActivityNanos = nowNanos;
    boolean done;
    try {
      done = receiver.accept(chunk);
    } catch (LinkException e) {
      if (++hashFailures >= MAX_HASH_FAILURES) {
        throw e;
      }
      LOG.warn("{}", e.getMessage());
      ask(nowNanos);
      return false;
    }
    int percent = receiver.received() * 100 / receiver.total();
    if (percent != lastPercent) {
      lastPercent = percent;
      progress.accept(percent);
    }
    if (done) {
      return true;
    }
    if (receiver.received() % WINDOW == 0) {
      ask(nowNanos);
    }
    return false;
  }

  /** Asks again when nothing was heard for {@link #STALL}. */
  public void onTick(long nowNanos) {
    if (!complete() && nowNanos - lastActivityNanos > STALL.toNanos()) {
      ask(nowNanos);
    }
  }

  /** After a reconnect: asks at once for what is still missing. */
  public void onReconnect(long nowNanos) {
    if (!complete()) {
      ask(nowNanos);
    }
  }

  private void ask(long nowNanos) {
    lastActivityNanos = nowNanos;
    ChunkRequest req = receiver.nextRequest();
    if (req == null) {
      return;
    }
    MessageProps props =
        new MessageProps(
            "application/json", null, Topics.artifactChunks(deviceId, sha256), null, Map.of());
    requester.request(Topics.artifactGet(sha256), ProtocolJson.write(req), props);
  }
}
