package dev.kiln.fleet.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.artifact.Sha256;
import dev.kiln.link.protocol.MessageProps;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.Topic;
import dev.kiln.link.protocol.TopicKind;
import dev.kiln.link.protocol.Topics;
import dev.kiln.link.protocol.transfer.ArtifactChunk;
import dev.kiln.link.protocol.transfer.ChunkRequest;
import dev.kiln.link.transfer.ChunkReceiver;
import dev.kiln.link.transport.MqttTransport;
import dev.kiln.link.transport.TransportConfig;
import dev.kiln.testkit.Mosquitto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A download cut mid-way by a disconnect resumes and completes with identical bytes. */
class ChunkTransferIT {
  private static final int CHUNK = 64 * 1024;

  @Test
  void transfer_resumesAfterTheReceiverDisconnects_andDeliversIdenticalBytes(@TempDir Path dir)
      throws Exception {
    byte[] bytes = new byte[10 * CHUNK + 123];
    new Random(7).nextBytes(bytes);
    Path source = Files.createDirectories(dir).resolve("a.kiln");
    Files.write(source, bytes);
    String sha = Sha256.of(bytes);
    ChunkServer server = new ChunkServer(CHUNK);
    server.offer(sha, source);
    AtomicInteger served = new AtomicInteger();

    try (Mosquitto broker = Mosquitto.start(dir.resolve("broker"));
        MqttTransport console = transport(broker, "console")) {
      console.setMessageHandler(
          m -> {
            ChunkRequest req = ProtocolJson.read(m.payload(), ChunkRequest.class);
            String reply = m.props().responseTopic();
            assertThat(Topic.parse(reply))
                .contains(new Topic(TopicKind.ARTIFACT_CHUNKS, "dev1", req.sha256()));
            for (ArtifactChunk c : server.answer(req)) {
              served.incrementAndGet();
              console.publish(reply, c.data(), 1, false, c.props());
            }
          });
      console.keepSubscribed(List.of(Topics.allArtifactGets()), 1);
      console.start();
      await().until(console::subscribed);

      Path downloads = dir.resolve("device");
      int firstRun = receive(broker, downloads, sha, bytes.length, 4);
      assertThat(firstRun).as("the first connection was cut after 4 chunks").isEqualTo(4);
      ChunkReceiver resumed = new ChunkReceiver(downloads, sha, bytes.length, CHUNK, 4);
      assertThat(resumed.received()).isEqualTo(4);
      assertThat(resumed.missing()).containsExactly(4, 5, 6, 7);

      receive(broker, downloads, sha, bytes.length, Integer.MAX_VALUE);
      ChunkReceiver done = new ChunkReceiver(downloads, sha, bytes.length, CHUNK, 4);
      assertThat(done.complete()).isTrue();
      assertThat(Files.mismatch(done.finalFile(), source)).isEqualTo(-1L);
      assertThat(served.get())
          .as("chunks held before the cut are not sent again")
          .isLessThanOrEqualTo(11 + 4);
    }
  }

  /** Connects as the device, downloads until complete or until {@code stopAfter} chunks. */
  private static int receive(Mosquitto broker, Path dir, String sha, long size, int stopAfter)
      throws Exception {
    ChunkReceiver receiver = new ChunkReceiver(dir, sha, size, CHUNK, 4);
    AtomicInteger got = new AtomicInteger();
    try (MqttTransport device = transport(broker, "dev1")) {
      Runnable request =
          () ->
              device.publish(
                  Topics.artifactGet(sha),
                  ProtocolJson.write(receiver.nextRequest()),
                  1,
                  false,
                  new MessageProps(
                      null, null, Topics.artifactChunks("dev1", sha), null, java.util.Map.of()));
      device.setMessageHandler(
          m -> {
            if (got.get() >= stopAfter) {
              return;
            }
            if (receiver.accept(ArtifactChunk.from(m.payload(), m.props()))) {
              got.incrementAndGet();
              return;
            }
            if (got.incrementAndGet() % 4 == 0 && got.get() < stopAfter) {
              request.run();
            }
          });
      device.addListener(
          s -> device.subscribe(List.of(Topics.artifactChunkFilter("dev1")), 1).thenRun(request));
      device.start();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> receiver.complete() || got.get() >= stopAfter);
    }
    return got.get();
  }

  private static MqttTransport transport(Mosquitto broker, String id) {
    return new MqttTransport(TransportConfig.builder(broker.url(), id).build());
  }
}
