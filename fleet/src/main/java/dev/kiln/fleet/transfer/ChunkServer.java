package dev.kiln.fleet.transfer;

import dev.kiln.artifact.Sha256;
import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import dev.kiln.link.protocol.transfer.ArtifactChunk;
import dev.kiln.link.protocol.transfer.ChunkRequest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Serves chunks of the artifacts the console offers, read from disk on demand. */
public final class ChunkServer {
  public static final int DEFAULT_CHUNK_SIZE = 256 * 1024;

  /** Chunks answered per request at most, so one device cannot queue the whole file at once. */
  static final int MAX_PER_REQUEST = 64;

  private final int chunkSize;
  private final Map<String, Path> offered = new ConcurrentHashMap<>();

  public ChunkServer(int chunkSize) {
    this.chunkSize = chunkSize;
  }

  public int chunkSize() {
    return chunkSize;
  }

  public void offer(String sha256, Path file) {
    offered.put(sha256, file);
  }

  /**
   * The requested chunks, read now; throws NOT_FOUND for an artifact this console does not offer.
   */
  public List<ArtifactChunk> answer(ChunkRequest request) {
    List<ArtifactChunk> out = new ArrayList<>();
    for (int index : indices(request)) {
      out.add(read(request.sha256(), index));
    }
    return out;
  }

  /** The chunk indices a request asks for, clamped to the file and to {@link #MAX_PER_REQUEST}. */
  public List<Integer> indices(ChunkRequest request) {
    Path file = file(request.sha256());
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new FleetException(FleetErrorCode.TRANSFER_FAILED, "cannot read " + file, e);
    }
    int total = ArtifactChunk.chunkCount(size, chunkSize);
    int from = Math.max(0, request.from());
    int end = Math.min(total, from + Math.min(MAX_PER_REQUEST, Math.max(0, request.count())));
    List<Integer> out = new ArrayList<>();
    for (int index = from; index < end; index++) {
      out.add(index);
    }
    return out;
  }

  /**
   * Reads one chunk. The console calls this only when the chunk is about to be sent, so queued
   * chunks cost no memory however large the artifact or the fleet.
   */
  public ArtifactChunk read(String sha256, int index) {
    Path file = file(sha256);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      long offset = (long) index * chunkSize;
      ByteBuffer buf = ByteBuffer.allocate((int) Math.min(chunkSize, size - offset));
      while (buf.hasRemaining() && ch.read(buf, offset + buf.position()) > 0) {
        // read until the chunk is full
      }
      byte[] data = buf.array();
      return new ArtifactChunk(
          sha256,
          index,
          ArtifactChunk.chunkCount(size, chunkSize),
          chunkSize,
          size,
          Sha256.of(data),
          data);
    } catch (IOException e) {
      throw new FleetException(FleetErrorCode.TRANSFER_FAILED, "cannot read " + file, e);
    }
  }

  private Path file(String sha256) {
    Path file = offered.get(sha256);
    if (file == null) {
      throw new FleetException(FleetErrorCode.NOT_FOUND, "no deployment offers artifact " + sha256);
    }
    return file;
  }
}
