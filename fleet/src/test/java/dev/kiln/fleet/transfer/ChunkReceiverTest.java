package dev.kiln.fleet.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.artifact.Sha256;
import dev.kiln.fleet.FleetException;
import dev.kiln.link.error.LinkException;
import dev.kiln.link.protocol.transfer.ArtifactChunk;
import dev.kiln.link.protocol.transfer.ChunkRequest;
import dev.kiln.link.transfer.ChunkReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChunkReceiverTest {
  private static final int CHUNK = 1000;
  @TempDir Path dir;

  private Path source(int size) throws Exception {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return Files.write(dir.resolve("src.kiln"), bytes);
  }

  @Test
  void receiver_assemblesChunksInAnyOrder_andChecksTheWholeFile() throws Exception {
    Path src = source(3500);
    String sha = Sha256.of(src);
    ChunkServer server = new ChunkServer(CHUNK);
    server.offer(sha, src);
    ChunkReceiver r = new ChunkReceiver(dir.resolve("dl"), sha, 3500, CHUNK, 2);
    assertThat(r.total()).isEqualTo(4);
    assertThat(r.missing()).containsExactly(0, 1);
    List<ArtifactChunk> inOrder = server.answer(new ChunkRequest(1, sha, 0, 4));
    List<ArtifactChunk> chunks =
        List.of(inOrder.get(3), inOrder.get(1), inOrder.get(0), inOrder.get(2));
    assertThat(chunks.get(0).data()).hasSize(500);
    assertThat(r.accept(chunks.get(0))).isFalse();
    assertThat(r.accept(chunks.get(0))).as("duplicate").isFalse();
    assertThat(r.missing()).containsExactly(0, 1);
    r.accept(chunks.get(1));
    r.accept(chunks.get(2));
    assertThat(r.accept(chunks.get(3))).isTrue();
    assertThat(Files.mismatch(r.finalFile(), src)).isEqualTo(-1L);
    assertThat(r.complete()).isTrue();
  }

  @Test
  void receiver_remembersChunksAcrossRestarts() throws Exception {
    Path src = source(3500);
    String sha = Sha256.of(src);
    ChunkServer server = new ChunkServer(CHUNK);
    server.offer(sha, src);
    ChunkReceiver first = new ChunkReceiver(dir.resolve("dl"), sha, 3500, CHUNK, 8);
    List<ArtifactChunk> all = server.answer(new ChunkRequest(1, sha, 0, 4));
    first.accept(all.get(0));
    first.accept(all.get(2));
    ChunkReceiver again = new ChunkReceiver(dir.resolve("dl"), sha, 3500, CHUNK, 8);
    assertThat(again.received()).isEqualTo(2);
    assertThat(again.missing()).containsExactly(1, 3);
    assertThat(again.nextRequest())
        .as("the first hole only")
        .isEqualTo(new ChunkRequest(1, sha, 1, 1));
    again.accept(all.get(1));
    assertThat(again.nextRequest()).isEqualTo(new ChunkRequest(1, sha, 3, 1));
    assertThat(again.accept(all.get(3))).isTrue();
    assertThat(again.nextRequest()).isNull();
  }

  @Test
  void chunk_withWrongHash_isRefusedBeforeStorage() throws Exception {
    Path src = source(1500);
    String sha = Sha256.of(src);
    ChunkServer server = new ChunkServer(CHUNK);
    server.offer(sha, src);
    ArtifactChunk c = server.answer(new ChunkRequest(1, sha, 0, 1)).get(0);
    byte[] corrupted = c.data().clone();
    corrupted[5] ^= 1;
    assertThatThrownBy(() -> ArtifactChunk.from(corrupted, c.props()))
        .isInstanceOf(LinkException.class)
        .hasMessageContaining("does not match its SHA-256");
    assertThat(ArtifactChunk.from(c.data(), c.props()).index()).isZero();
  }

  @Test
  void receiver_startsOver_whenTheAssembledFileHasTheWrongHash() throws Exception {
    Path src = source(1500);
    ChunkServer server = new ChunkServer(CHUNK);
    String claimed = "0".repeat(64);
    server.offer(claimed, src);
    ChunkReceiver r = new ChunkReceiver(dir.resolve("dl"), claimed, 1500, CHUNK, 8);
    List<ArtifactChunk> chunks = server.answer(new ChunkRequest(1, claimed, 0, 5));
    assertThat(chunks).as("clamped to the file's 2 chunks").hasSize(2);
    r.accept(chunks.get(0));
    assertThatThrownBy(() -> r.accept(chunks.get(1)))
        .isInstanceOf(LinkException.class)
        .hasMessageContaining("starts over");
    assertThat(r.received()).isZero();
    assertThat(r.complete()).isFalse();
  }

  @Test
  void receiver_dropsChunksOfTheWrongSize_soTheFileNeverGrowsPastItsDeclaredSize()
      throws Exception {
    Path src = source(3500);
    String sha = Sha256.of(src);
    ChunkReceiver r = new ChunkReceiver(dir.resolve("dl"), sha, 3500, CHUNK, 4);
    byte[] huge = new byte[64 * CHUNK];
    ArtifactChunk oversized = new ArtifactChunk(sha, 3, 4, CHUNK, 3500, Sha256.of(huge), huge);
    assertThat(r.accept(oversized)).isFalse();
    ArtifactChunk negative = new ArtifactChunk(sha, -1, 4, CHUNK, 3500, Sha256.of(huge), huge);
    assertThat(r.accept(negative)).isFalse();
    assertThat(r.received()).isZero();
    try (var files = Files.list(dir.resolve("dl"))) {
      assertThat(files.mapToLong(f -> f.toFile().length()).sum()).isLessThanOrEqualTo(3500);
    }
  }

  @Test
  void server_refusesArtifactsItDoesNotOffer() {
    assertThatThrownBy(() -> new ChunkServer(CHUNK).answer(new ChunkRequest(1, "abc", 0, 1)))
        .isInstanceOf(FleetException.class)
        .hasMessageContaining("no deployment offers artifact abc");
  }
}
