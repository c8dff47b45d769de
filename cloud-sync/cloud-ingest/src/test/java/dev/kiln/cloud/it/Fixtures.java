package dev.kiln.cloud.it;

import dev.kiln.cloud.ingest.IngestConfig;
import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.link.LinkConfig;
import dev.kiln.link.outbox.OutboxConfig;
import dev.kiln.link.protocol.capture.CaptureRecord;
import dev.kiln.link.protocol.capture.CaptureTensor;
import dev.kiln.link.transport.TransportConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** Shared pieces of the capture integration tests; also used by the {@link DeviceMain} child. */
public final class Fixtures {
  private Fixtures() {}

  /** Record {@code i} always has the same id, so a test knows exactly which ids must arrive. */
  public static String id(int i) {
    return UUID.nameUUIDFromBytes(("rec-" + i).getBytes(StandardCharsets.UTF_8)).toString();
  }

  public static CaptureRecord record(int i) {
    float[] scores = new float[4];
    scores[i % 4] = 0.9f;
    return new CaptureRecord(
        1,
        id(i),
        null,
        "resnet",
        i % 2 == 0 ? "1" : "2",
        i % 3 == 0 ? "int8" : "fp32",
        System.currentTimeMillis(),
        1.0 + (i % 10),
        List.of(CaptureTensor.ofFloats("x", new long[] {1, 8}, new float[8])),
        List.of(CaptureTensor.ofFloats("y", new long[] {1, 4}, scores)),
        false,
        false);
  }

  public static Set<String> ids(int from, int to) {
    Set<String> s = new HashSet<>();
    for (int i = from; i < to; i++) {
      s.add(id(i));
    }
    return s;
  }

  public static LinkConfig link(String device, String url, Path dir) {
    return LinkConfig.builder(device, url, dir)
        .agentVersion("test")
        .heartbeatInterval(Duration.ofMillis(500))
        .batching(100, 256 * 1024, Duration.ofMillis(50))
        .captureOutbox(OutboxConfig.defaults(dir.resolve("capture")).withMinFreeDiskBytes(0))
        .transport(
            t ->
                t.backoff(Duration.ofMillis(50), Duration.ofMillis(500))
                    .keepAlive(Duration.ofSeconds(5)))
        .build();
  }

  public static IngestConfig ingest(String url, String clientId) {
    return IngestConfig.of(
        TransportConfig.builder(url, clientId)
            .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
            .build());
  }

  public static Set<String> storedIds(CaptureStore store) {
    return store.read(
        c -> {
          Set<String> s = new HashSet<>();
          try (Statement st = c.createStatement();
              ResultSet rs = st.executeQuery("SELECT id FROM captures")) {
            while (rs.next()) {
              s.add(rs.getString(1));
            }
          }
          return s;
        });
  }

  public static long count(CaptureStore store, String sql) {
    return store.read(
        c -> {
          try (Statement st = c.createStatement();
              ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
          }
        });
  }
}
