package dev.kiln.cloud.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.link.protocol.DeviceStatus;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceStatusTableTest {
  @Test
  void aStoredStatusDatedInTheFuture_givesWayToTheNextRealOne(@TempDir Path tmp) throws Exception {
    try (CaptureStore store = CaptureStore.open(tmp.resolve("c.duckdb"))) {
      DeviceStatusTable table = new DeviceStatusTable(store);
      long now = System.currentTimeMillis();
      // Stored before the ingestor judged dates: an OFFLINE dated 11 days ahead.
      table.onStatus(DeviceStatus.will("dev-x", now + Duration.ofDays(11).toMillis(), "forged"));
      assertThat(state(store)).isEqualTo("OFFLINE");

      table.onStatus(DeviceStatus.birth("dev-x", now, "1.0"));
      assertThat(state(store)).isEqualTo("ONLINE");

      // Ordinary ordering still holds: a will from an older connection does not win.
      table.onStatus(DeviceStatus.will("dev-x", now - 60_000, "1.0"));
      assertThat(state(store)).isEqualTo("ONLINE");
    }
  }

  private static String state(CaptureStore store) {
    return store.read(
        c -> {
          try (Statement st = c.createStatement();
              ResultSet rs = st.executeQuery("SELECT state FROM devices WHERE device_id='dev-x'")) {
            return rs.next() ? rs.getString(1) : null;
          }
        });
  }
}
