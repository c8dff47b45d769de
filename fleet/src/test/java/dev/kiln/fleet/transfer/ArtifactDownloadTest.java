package dev.kiln.fleet.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.artifact.Sha256;
import dev.kiln.link.error.LinkErrorCode;
import dev.kiln.link.error.LinkException;
import dev.kiln.link.protocol.InboundMessage;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.Topics;
import dev.kiln.link.protocol.transfer.ArtifactChunk;
import dev.kiln.link.protocol.transfer.ChunkRequest;
import dev.kiln.link.transfer.ArtifactDownload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The download state machine every device runs (agent and simulator), against the console's real
 * {@link ChunkServer}, with time passed in by hand.
 */
class ArtifactDownloadTest {
  private static final int CHUNK = 1000;
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
  @TempDir Path dir;
  private final Deque<ChunkRequest> requests = new ArrayDeque<>();
  private final List<Integer> percents = new ArrayList<>();

  private Path source(String name, int size, long seed) throws Exception {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return Files.write(dir.resolve(name), bytes);
  }

  private ArtifactDownload download(String sha, long size) {
    return new ArtifactDownload(
        "dev1",
        dir.resolve("dl"),
        sha,
        size,
        CHUNK,
        (topic, payload, props) -> {
          assertThat(topic).isEqualTo(Topics.artifactGet(sha));
          assertThat(props.responseTopic()).isEqualTo(Topics.artifactChunks("dev1", sha));
          requests.add(ProtocolJson.read(payload, ChunkRequest.class));
        },
        percents::add);
  }

  private static InboundMessage message(ArtifactChunk c) {
    return new InboundMessage(
        Topics.artifactChunks("dev1", c.artifactSha256()), c.data(), 0, false, c.props());
  }

  /** Answers every pending request through the server; returns whether the file completed. */
  private boolean serve(ChunkServer server, ArtifactDownload d, long now) throws Exception {
    boolean done = false;
    while (!requests.isEmpty() && !done) {
      for (ArtifactChunk c : server.answer(requests.poll())) {
        done = d.onChunk(message(c), now);
      }
    }
    return done;
  }

  /** Answers the oldest pending request only. */
  private boolean answerOne(ChunkServer server, ArtifactDownload d) throws Exception {
    boolean done = false;
    for (ArtifactChunk c : server.answer(requests.poll())) {
      done = d.onChunk(message(c), 0);
    }
    return done;
  }

  @Test
  void download_asksAWindowAtATime_untilTheFileIsWholeAndChecked() throws Exception {
    Path src = source("a.kiln", 20 * CHUNK + 300, 1);
    String sha = Sha256.of(src);
    ChunkServer server = new ChunkServer(CHUNK);
    server.offer(sha, src);
    ArtifactDownload d = download(sha, Files.size(src));

    d.start(0);
    assertThat(requests).singleElement().satisfies(r -> assertThat(r.count()).isEqualTo(8));
    assertThat(serve(server, d, 0)).isTrue();

    assertThat(Files.mismatch(d.file(), src)).isEqualTo(-1L);
    assertThat(percents).last().isEqualTo(100);
    assertThat(percents).doesNotHaveDuplicates().isSorted();
  }

  @Test
  void aStalledDownload_asksAgainOnlyAfterTheStall_andAtOnceAfterAReconnect() throws Exception {
    Path src = source("a.kiln", 5 * CHUNK, 2);
    ArtifactDownload d = download(Sha256.of(src), Files.size(src));
    d.start(0);
    requests.clear(); // the first window is lost on the way

    d.onTick(SECOND);
    assertThat(requests).as("one second of quiet is no stall").isEmpty();
    d.onTick(ArtifactDownload.STALL.toNanos() + SECOND);
    assertThat(requests).hasSize(1);

    d.onReconnect(ArtifactDownload.STALL.toNanos() + 2 * SECOND);
    assertThat(requests).hasSize(2);
  }

  @Test
  void aFileThatKeepsFailingItsHash_isGivenUpOnTheThirdTime() throws Exception {
    Path good = source("good.kiln", 3 * CHUNK, 3);
    Path corrupt = source("corrupt.kiln", 3 * CHUNK, 4);
    String sha = Sha256.of(good);
    ChunkServer server = new ChunkServer(CHUNK);
    server.offer(sha, corrupt); // serves other bytes under the promised digest
    ArtifactDownload d = download(sha, Files.size(good));
    d.start(0);

    assertThat(answerOne(server, d)).as("first failure: starts over").isFalse();
    assertThat(requests)
        .as("and asks again from scratch")
        .singleElement()
        .satisfies(r -> assertThat(r.from()).isZero());
    assertThat(answerOne(server, d)).as("second failure: starts over").isFalse();
    assertThatThrownBy(() -> answerOne(server, d))
        .isInstanceOfSatisfying(
            LinkException.class, e -> assertThat(e.code()).isEqualTo(LinkErrorCode.TRANSFER_FAILED))
        .hasMessageContaining("expected " + sha);
  }

  @Test
  void aFileAlreadyStored_isCompleteWithoutAsking() throws Exception {
    Path src = source("a.kiln", 2 * CHUNK, 5);
    String sha = Sha256.of(src);
    ChunkServer server = new ChunkServer(CHUNK);
    server.offer(sha, src);
    ArtifactDownload first = download(sha, Files.size(src));
    first.start(0);
    serve(server, first, 0);

    ArtifactDownload again = download(sha, Files.size(src));
    assertThat(again.complete()).isTrue();
    requests.clear();
    again.start(0);
    assertThat(requests).isEmpty();
  }
}
