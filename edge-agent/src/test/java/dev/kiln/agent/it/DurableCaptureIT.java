package dev.kiln.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.AgentProcess;
import dev.kiln.agent.TestArtifacts;
import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.files.KeyFiles;
import dev.kiln.link.outbox.Outbox;
import dev.kiln.link.outbox.OutboxConfig;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.capture.CaptureRecord;
import dev.kiln.testkit.FreePorts;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * With {@code cloud.capture.durability: sync}, an answered request's capture record is on disk
 * before the answer: a kill -9 right after the last 200 loses none (docs/agent.md, "Capture
 * durability"). The broker is unreachable, so every record stays in the (sealed) outbox to count.
 */
class DurableCaptureIT {
  private static final int CLIENTS = 8;
  private static final int PER_CLIENT = 50;

  @Test
  void syncCapture_killRightAfterTheLast200_losesNoRecord() throws Exception {
    Path work = AgentProcess.tmp("durable-capture");
    KeyPair key = Ed25519Keys.generate();
    Path mlp = TestArtifacts.build(TestArtifacts.spec(), key, work.resolve("artifacts"));
    Path captureKey = work.resolve("keys-capture/capture.key");
    KeyFiles.create(captureKey);
    int closedPort = FreePorts.next();
    AgentProcess agent =
        new AgentProcess(
            work,
            c -> {
              c.putObject("models")
                  .put("defaultModel", "mlp")
                  .putArray("artifacts")
                  .add(mlp.toString());
              var cloud = c.putObject("cloud").put("brokerUrl", "tcp://127.0.0.1:" + closedPort);
              cloud
                  .putObject("capture")
                  .put("durability", "sync")
                  .put("encryptionKeyFile", captureKey.toString());
            });
    TestArtifacts.trust(key, agent.keysDir());
    agent.start();
    // Eight clients at once, so that when the last answer arrives the writer is busy with an
    // earlier group: with durability async, records still queued then are lost to the kill.
    List<String> answered = Collections.synchronizedList(new ArrayList<>());
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        done.add(
            clients.submit(
                () -> {
                  for (int i = 0; i < PER_CLIENT; i++) {
                    String id = "durable-" + client + "-" + i;
                    HttpResponse<String> r =
                        agent.send(
                            "POST",
                            "/invocations",
                            "{\"instances\": [[1,2,3,4,5,6,7,8]]}".getBytes(StandardCharsets.UTF_8),
                            "application/json",
                            Map.of("X-Kiln-Request-Id", id));
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                    answered.add(id);
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      agent.kill9(); // at once: no wait for a background flush
    } finally {
      clients.shutdownNow();
      agent.close();
    }
    assertThat(answered).hasSize(CLIENTS * PER_CLIENT);

    Path outboxDir = work.resolve("state/link/capture");
    List<String> stored = new ArrayList<>();
    try (Outbox o =
        Outbox.open(
            OutboxConfig.defaults(outboxDir)
                .withMinFreeDiskBytes(0)
                .withEncryptionKey(KeyFiles.read(captureKey, work.resolve("state"))))) {
      for (Outbox.Entry e : o.read(1, Integer.MAX_VALUE, Long.MAX_VALUE)) {
        stored.add(ProtocolJson.read(e.payload(), CaptureRecord.class).requestId());
      }
    }
    assertThat(stored).containsExactlyInAnyOrderElementsOf(answered);
    try (var files = Files.list(outboxDir)) {
      for (Path f : files.toList()) {
        assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1))
            .as("no request id in plaintext in %s", f)
            .doesNotContain("durable-");
      }
    }
  }
}
