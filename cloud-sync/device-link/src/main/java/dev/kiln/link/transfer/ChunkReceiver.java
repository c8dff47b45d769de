package dev.kiln.link.transfer;

import dev.kiln.artifact.AtomicFiles;
import dev.kiln.artifact.Sha256;
import dev.kiln.json.RecordReader;
import dev.kiln.json.RecordWriter;
import dev.kiln.link.error.LinkErrorCode;
import dev.kiln.link.error.LinkException;
import dev.kiln.link.protocol.transfer.ArtifactChunk;
import dev.kiln.link.protocol.transfer.ChunkRequest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Device side of one artifact download. Chunks are written into {@code SHA.part} at their offset
 * and forced to disk before {@code SHA.state.json} records them, so after a crash or disconnect
 * every chunk the state names is really there, and {@link #missing} is what to ask for again. The
 * whole file's SHA-256 is checked before it is renamed to {@code SHA.kiln}. No MQTT here: the
 * caller publishes the {@link ChunkRequest}s this returns.
 */
public final class ChunkReceiver {
  private static final Logger LOG = LoggerFactory.getLogger(ChunkReceiver.class);

  /** Persisted progress: which chunks are on disk. */
  record State(String sha256, long totalBytes, int chunkSize, int total, long[] have) {}

  private final Path dir;
  private final String sha256;
  private final long totalBytes;
  private final int chunkSize;
  private final int total;
  private final int window;
  private final BitSet have;

  public ChunkReceiver(Path dir, String sha256, long totalBytes, int chunkSize, int window) {
    this.dir = dir;
    this.sha256 = sha256;
    this.totalBytes = totalBytes;
    this.chunkSize = chunkSize;
    this.total = ArtifactChunk.chunkCount(totalBytes, chunkSize);
    this.window = window;
    this.have = loadState();
  }

  public Path finalFile() {
    return dir.resolve(sha256 + ".kiln");
  }

  public boolean complete() {
    return Files.exists(finalFile());
  }

  public synchronized int received() {
    return have.cardinality();
  }

  public int total() {
    return total;
  }

  /** The next request: the first run of missing chunks, at most one window long; null if none. */
  public synchronized ChunkRequest nextRequest() {
    int from = have.nextClearBit(0);
    if (from >= total) {
      return null;
    }
    int end =
        Math.min(
            Math.min(total, from + window),
            have.nextSetBit(from) < 0 ? total : have.nextSetBit(from));
    return new ChunkRequest(
        dev.kiln.link.protocol.ProtocolJson.SCHEMA_VERSION, sha256, from, end - from);
  }

  /** Up to one window of chunks still missing, lowest first. */
  public synchronized List<Integer> missing() {
    List<Integer> out = new ArrayList<>();
    for (int i = have.nextClearBit(0);
        i < total && out.size() < window;
        i = have.nextClearBit(i + 1)) {
      out.add(i);
    }
    return out;
  }

  /**
   * Stores a chunk. Returns true when it was the last one and the file is complete and checked;
   * throws TRANSFER_FAILED when the assembled file's SHA-256 is wrong (the download restarts).
   */
  public synchronized boolean accept(ArtifactChunk chunk) throws IOException {
    if (complete()
        || !sha256.equals(chunk.artifactSha256())
        || chunk.index() < 0
        || chunk.index() >= total
        || have.get(chunk.index())) {
      return false;
    }
    long expected = Math.min(chunkSize, totalBytes - (long) chunk.index() * chunkSize);
    if (chunk.data().length != expected) {
      // Self-consistent but the wrong size for its place: writing it could grow the file past
      // the size the signed command declared. Dropped; it is asked for again after a stall.
      LOG.warn(
          "dropping chunk {} of {}: {} bytes where {} belong",
          chunk.index(),
          sha256.substring(0, 12),
          chunk.data().length,
          expected);
      return false;
    }
    try (FileChannel ch =
        FileChannel.open(part(), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(chunk.data());
      long offset = (long) chunk.index() * chunkSize;
      while (buf.hasRemaining()) {
        ch.write(buf, offset + buf.position());
      }
      ch.force(true);
    }
    have.set(chunk.index());
    saveState();
    if (have.cardinality() < total) {
      return false;
    }
    String actual = Sha256.of(part());
    if (!actual.equals(sha256)) {
      have.clear();
      Files.deleteIfExists(part());
      saveState();
      throw new LinkException(
          LinkErrorCode.TRANSFER_FAILED,
          "assembled artifact has SHA-256 "
              + actual
              + ", expected "
              + sha256
              + "; the download starts over");
    }
    Files.move(part(), finalFile(), StandardCopyOption.ATOMIC_MOVE);
    Files.deleteIfExists(stateFile());
    AtomicFiles.fsyncDirectory(dir);
    return true;
  }

  private Path part() {
    return dir.resolve(sha256 + ".part");
  }

  private Path stateFile() {
    return dir.resolve(sha256 + ".state.json");
  }

  private BitSet loadState() {
    try {
      Files.createDirectories(dir);
      if (Files.exists(stateFile()) && Files.exists(part())) {
        State s =
            RecordReader.read(
                Files.readAllBytes(stateFile()), State.class, RecordReader.Mode.LENIENT);
        if (s.chunkSize() == chunkSize && s.totalBytes() == totalBytes) {
          return BitSet.valueOf(s.have());
        }
      }
      return new BitSet(total);
    } catch (IOException e) {
      throw new LinkException(
          LinkErrorCode.TRANSFER_FAILED,
          "cannot read download state in " + dir + ": " + e.getMessage(),
          e);
    }
  }

  private void saveState() throws IOException {
    AtomicFiles.write(
        stateFile(),
        RecordWriter.plain(new State(sha256, totalBytes, chunkSize, total, have.toLongArray())));
  }
}
