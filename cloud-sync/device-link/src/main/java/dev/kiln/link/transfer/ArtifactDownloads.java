package dev.kiln.link.transfer;

import dev.kiln.link.error.LinkErrorCode;
import dev.kiln.link.error.LinkException;
import dev.kiln.link.protocol.InboundMessage;
import dev.kiln.link.protocol.MessageProps;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads artifacts from the fleet console over MQTT (docs/protocol.md, "Artifact transfer"): the
 * agent's side, which runs one {@link ArtifactDownload} at a time on the caller's thread in {@link
 * #fetch}, fed from a queue: the transport thread only queues chunk messages, so fsyncs never hold
 * up MQTT acks.
 */
public final class ArtifactDownloads {
  private static final Logger LOG = LoggerFactory.getLogger(ArtifactDownloads.class);

  /** Larger chunks would not fit MQTT brokers' default packet limits. */
  static final int MAX_CHUNK_BYTES = 16 << 20;

  /** The part of the transport a download needs. */
  @FunctionalInterface
  public interface Publisher {
    CompletableFuture<Void> publish(String topic, byte[] payload, MessageProps props);
  }

  private final String deviceId;
  private final Path dir;
  private final Publisher publisher;
  private final BooleanSupplier connected;
  private final BlockingQueue<InboundMessage> inbox =
      new LinkedBlockingQueue<>(4 * ArtifactDownload.WINDOW);
  private final AtomicInteger connects = new AtomicInteger();

  public ArtifactDownloads(
      String deviceId, Path dir, Publisher publisher, BooleanSupplier connected) {
    this.deviceId = deviceId;
    this.dir = dir;
    this.publisher = publisher;
    this.connected = connected;
  }

  /**
   * Called on the transport thread for every message on the device's artifact topics. A chunk
   * nobody waits for, or one beyond the queue's bound, is dropped: it will be asked for again.
   */
  public void onChunk(InboundMessage m) {
    if (!inbox.offer(m)) {
      LOG.debug("dropping a chunk on {}: the download is behind", m.topic());
    }
  }

  /** Called after every (re)connect: a running download asks again for what it still lacks. */
  public void onConnected() {
    connects.incrementAndGet();
  }

  /**
   * Downloads one artifact into {@code dir/SHA.kiln}, resuming what an earlier attempt (or an
   * earlier process) stored, and returns the checked file.
   *
   * @param progress called with 0..100 as chunks arrive, at most once per percent
   * @throws LinkException TRANSFER_FAILED when nothing arrives before {@code timeout}, or when the
   *     assembled file keeps failing its SHA-256 check
   */
  public Path fetch(String sha256, long size, int chunkSize, Duration timeout, IntConsumer progress)
      throws IOException, InterruptedException {
    ArtifactDownload download =
        new ArtifactDownload(deviceId, dir, sha256, size, chunkSize, this::ask, progress);
    inbox.clear();
    long deadline = System.nanoTime() + timeout.toNanos();
    int seenConnects = connects.get();
    download.start(System.nanoTime());
    while (!download.complete()) {
      InboundMessage m = inbox.poll(250, TimeUnit.MILLISECONDS);
      long now = System.nanoTime();
      if (m != null) {
        download.onChunk(m, now);
      } else if (now > deadline) {
        throw new LinkException(
            LinkErrorCode.TRANSFER_FAILED,
            "artifact "
                + sha256.substring(0, 12)
                + " did not arrive within "
                + timeout.toSeconds()
                + " s ("
                + download.stored()
                + "; the download resumes on the next attempt)");
      } else if (connects.get() != seenConnects) {
        seenConnects = connects.get();
        download.onReconnect(now);
      } else {
        download.onTick(now);
      }
    }
    return download.file();
  }

  /**
   * Why a download of this shape must not start, or null when it may: a malformed digest (it names
   * files), an impossible size or chunk size, or too little disk for it.
   */
  public String refusal(String sha256, long size, int chunkSize) {
    String malformed = shapeRefusal(sha256, size, chunkSize);
    if (malformed != null) {
      return malformed;
    }
    try {
      java.nio.file.Files.createDirectories(dir);
      long free = java.nio.file.Files.getFileStore(dir).getUsableSpace();
      // The download, then its unpacked copy in the artifact store.
      if (free < 2 * size) {
        return "not enough disk for a "
            + size
            + "-byte artifact: "
            + free
            + " bytes free under "
            + dir
            + ", needs "
            + 2 * size;
      }
    } catch (IOException e) {
      return "cannot check free disk under " + dir + ": " + e.getMessage();
    }
    return null;
  }

  /**
   * Why a download of this shape cannot be right, or null: a malformed digest (it names files), or
   * an impossible size or chunk size. The part of {@link #refusal} that needs no disk.
   */
  public static String shapeRefusal(String sha256, long size, int chunkSize) {
    if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
      return "artifact.sha256 '" + sha256 + "' is not a lowercase hex SHA-256";
    }
    if (size <= 0 || chunkSize <= 0 || chunkSize > MAX_CHUNK_BYTES) {
      return "artifact size "
          + size
          + " or chunk size "
          + chunkSize
          + " is out of range (chunks up to "
          + MAX_CHUNK_BYTES
          + " bytes)";
    }
    return null;
  }

  /** Deletes a downloaded artifact once it is installed; the store keeps its own copy. */
  public void discard(String sha256) throws IOException {
    java.nio.file.Files.deleteIfExists(dir.resolve(sha256 + ".kiln"));
  }

  /** Sends a chunk request while connected; one lost meanwhile is asked again after a stall. */
  private void ask(String topic, byte[] payload, MessageProps props) {
    if (connected.getAsBoolean()) {
      publisher
          .publish(topic, payload, props)
          .exceptionally(
              e -> {
                LOG.debug("chunk request not sent: {}", e.toString());
                return null;
              });
    }
  }
}
