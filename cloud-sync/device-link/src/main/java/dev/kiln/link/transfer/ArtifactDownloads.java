package dev.kiln.link.transfer;

import dev.kiln.link.error.LinkErrorCode;
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
 * Downloads artifacts from the fleet console over MQTT (docs/protocol.md, "Artifact transfer"):
 * asks for a window of missing chunks, stores what arrives through a {@link ChunkReceiver}, and
 * asks again after a window, a stall or a reconnect. The caller's thread does the work in {@link
 * #fetch}; the transport thread only queues chunk messages, so fsyncs never hold up MQTT acks.
 */
public final class ArtifactDownloads {
  private static final Logger LOG = LoggerFactory.getLogger(ArtifactDownloads.class);

  /** Chunks asked for at once; the next window is asked for when this one has arrived. */
  public static final int WINDOW = 8;

  /** A request unanswered this long is sent again (chunks travel at QoS 0 and may be lost). */
  public static final Duration STALL = Duration.ofSeconds(5);

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
  private final BlockingQueue<InboundMessage> inbox = new LinkedBlockingQueue<>(4 * WINDOW);
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
    ChunkReceiver receiver = new ChunkReceiver(dir, sha256, size, chunkSize, WINDOW);
    if (receiver.complete()) {
      progress.accept(100);
      return receiver.finalFile();
    }
    inbox.clear();
    long deadline = System.nanoTime() + timeout.toNanos();
    int seenConnects = connects.get();
    int hashFailures = 0;
    int lastPercent = -1;
    long askedAt = ask(receiver, sha256);
    while (true) {
      InboundMessage m = inbox.poll(250, TimeUnit.MILLISECONDS);
      long now = System.nanoTime();
      if (m == null) {
        if (now > deadline) {
          throw new LinkException(
              LinkErrorCode.TRANSFER_FAILED,
              "artifact "
                  + sha256.substring(0, 12)
                  + " did not arrive within "
                  + timeout.toSeconds()
                  + " s ("
                  + receiver.received()
                  + " of "
                  + receiver.total()
                  + " chunks stored; the download resumes on the next attempt)");
        }
        if (connects.get() != seenConnects || now - askedAt > STALL.toNanos()) {
          seenConnects = connects.get();
          askedAt = ask(receiver, sha256);
        }
        continue;
      }
      ArtifactChunk chunk;
      try {
        chunk = ArtifactChunk.from(m.payload(), m.props());
      } catch (LinkException e) {
        LOG.warn("{}", e.getMessage());
        continue;
      }
      boolean done;
      try {
        done = receiver.accept(chunk);
      } catch (LinkException e) {
        if (++hashFailures >= 3) {
          throw e;
        }
        LOG.warn("{}", e.getMessage());
        askedAt = ask(receiver, sha256);
        continue;
      }
      int percent = receiver.received() * 100 / receiver.total();
      if (percent != lastPercent) {
        lastPercent = percent;
        progress.accept(percent);
      }
      if (done) {
        return receiver.finalFile();
      }
      if (receiver.received() % WINDOW == 0) {
        askedAt = ask(receiver, sha256);
      }
    }
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

  private long ask(ChunkReceiver receiver, String sha256) {
    ChunkRequest req = receiver.nextRequest();
    if (req != null && connected.getAsBoolean()) {
      MessageProps props =
          new MessageProps(
              "application/json", null, Topics.artifactChunks(deviceId, sha256), null, Map.of());
      publisher
          .publish(Topics.artifactGet(sha256), ProtocolJson.write(req), props)
          .exceptionally(
              e -> {
                LOG.debug("chunk request not sent: {}", e.toString());
                return null;
              });
    }
    return System.nanoTime();
  }
}
