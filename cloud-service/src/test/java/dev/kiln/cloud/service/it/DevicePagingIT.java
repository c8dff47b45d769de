package dev.kiln.cloud.service.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.fleet.state.DeviceRecord;
import dev.kiln.fleet.state.FleetStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cursor paging of GET /devices over a registry of 10,000 devices (written to the console's device
 * file before the service starts, as a restart finds them): every device comes back exactly once,
 * in id order, with and without a filter. Page latency is measured by the cloud-api bench.
 */
class DevicePagingIT {
  static final int DEVICES = 10_000;

  @TempDir static Path tmp;
  static ServiceFixture service;

  @BeforeAll
  static void start() throws Exception {
    Path state = tmp.resolve("cloud.state");
    new FleetStore(state).saveDevices(registry(DEVICES));
    service = ServiceFixture.start(tmp);
  }

  /** Devices {@code sim-00001..}; the even ones in group {@code even}, every device runs mlp 1. */
  static List<DeviceRecord> registry(int n) {
    List<DeviceRecord> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add(
          new DeviceRecord(
              String.format("sim-%05d", i),
              List.of(i % 2 == 0 ? "even" : "odd"),
              "linux-x86_64",
              "x86_64",
              false,
              0,
              1_800_000_000_000L + i,
              "1.0",
              Map.of("mlp", "1"),
              null,
              Map.of("inference.error_rate", 0.01, "inference.p95_ms", 12.5),
              0,
              null));
    }
    return out;
  }

  @AfterAll
  static void stop() {
    if (service != null) {
      service.close();
    }
  }

  private List<String> pageThrough(String query, int limit) throws Exception {
    List<String> ids = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      ApiClient.Reply r =
          service.admin.get(
              "/devices?limit=" + limit + query + (cursor == null ? "" : "&cursor=" + cursor));
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      for (JsonNode d : r.json().path("items")) {
        ids.add(d.path("id").asText());
      }
      cursor = r.json().path("nextCursor").isNull() ? null : r.json().path("nextCursor").asText();
      pages++;
    } while (cursor != null && pages < 100_000);
    return ids;
  }

  @Test
  void cursorPaging_returnsEveryDeviceExactlyOnce_inIdOrder() throws Exception {
    List<String> ids = pageThrough("", 1000);
    assertThat(ids).hasSize(DEVICES).doesNotHaveDuplicates().isSorted();
    assertThat(ids.get(0)).isEqualTo("sim-00001");
    assertThat(service.admin.get("/devices?limit=3").json().path("total").asInt())
        .isEqualTo(DEVICES);
  }

  @Test
  void filteredPaging_withAnOddPageSize_returnsEachMatchOnce() throws Exception {
    List<String> even = pageThrough("&group=even", 777);
    assertThat(even).hasSize(DEVICES / 2).doesNotHaveDuplicates().isSorted();
    assertThat(even).allMatch(id -> Integer.parseInt(id.substring(4)) % 2 == 0);
    assertThat(service.admin.get("/devices?group=even&limit=1").json().path("total").asInt())
        .isEqualTo(DEVICES / 2);
    assertThat(pageThrough("&status=online", 500)).isEmpty();
  }
}
