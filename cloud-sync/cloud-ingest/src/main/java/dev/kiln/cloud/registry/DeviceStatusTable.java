package dev.kiln.cloud.registry;

import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.link.protocol.DeviceStatus;
import dev.kiln.link.protocol.Heartbeat;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.Provenance;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Keeps the {@code devices} table in step with status and heartbeat messages. Messages can arrive
 * late or twice (a will from an old connection after a new birth, heartbeats replayed from a
 * device's outbox), so every update is conditional: status by (connectedAt, ts), heartbeat by ts. A
 * stored time beyond now plus {@link Provenance#MAX_CLOCK_SKEW} never wins that comparison: a row
 * forged before the ingestor judged dates (or by a device with a wild clock) would otherwise hold
 * the device's state until that date.
 */
public final class DeviceStatusTable {
  private static final String STATUS =
      """
      INSERT INTO devices (device_id, state, reason, connected_at, status_at, agent_version)
      VALUES (?, ?, ?, epoch_ms(?), epoch_ms(?), ?)
      ON CONFLICT (device_id) DO UPDATE SET
        state = excluded.state, reason = excluded.reason, connected_at = excluded.connected_at,
        status_at = excluded.status_at,
        agent_version = coalesce(excluded.agent_version, devices.agent_version)
      WHERE devices.connected_at IS NULL
        OR excluded.connected_at > devices.connected_at
        OR (excluded.connected_at = devices.connected_at AND excluded.status_at >= devices.status_at)
        OR devices.connected_at > epoch_ms(?) OR devices.status_at > epoch_ms(?)
      """;

  private static final String HEARTBEAT =
      "INSERT INTO heartbeats (id, device_id, ts, uptime_s, payload) VALUES (?, ?, epoch_ms(?), ?, ?)"
          + " ON CONFLICT DO NOTHING";

  private static final String LATEST =
      """
      INSERT INTO devices (device_id, last_heartbeat_at, agent_version, models, metrics, link)
      VALUES (?, epoch_ms(?), ?, ?, ?, ?)
      ON CONFLICT (device_id) DO UPDATE SET
        last_heartbeat_at = excluded.last_heartbeat_at, agent_version = excluded.agent_version,
        models = excluded.models, metrics = excluded.metrics, link = excluded.link
      WHERE devices.last_heartbeat_at IS NULL OR excluded.last_heartbeat_at > devices.last_heartbeat_at
        OR devices.last_heartbeat_at > epoch_ms(?)
      """;

  private final CaptureStore store;

  public DeviceStatusTable(CaptureStore store) {
    this.store = store;
  }

  public void onStatus(DeviceStatus s) throws SQLException {
    store.inTransaction(
        c -> {
          try (PreparedStatement ps = c.prepareStatement(STATUS)) {
            ps.setString(1, s.deviceId());
            ps.setString(2, s.state() == null ? null : s.state().name());
            ps.setString(3, s.reason());
            ps.setLong(4, s.connectedAt());
            ps.setLong(5, s.ts());
            ps.setString(6, s.agentVersion());
            ps.setLong(7, futureBound());
            ps.setLong(8, futureBound());
            return ps.executeUpdate();
          }
        });
  }

  /** Stores the heartbeat once (by id) and, if it is the newest, the device's latest telemetry. */
  public void onHeartbeat(Heartbeat hb, byte[] raw) throws SQLException {
    store.inTransaction(
        c -> {
          try (PreparedStatement ps = c.prepareStatement(HEARTBEAT)) {
            ps.setString(1, hb.id());
            ps.setString(2, hb.deviceId());
            ps.setLong(3, hb.ts());
            ps.setLong(4, hb.uptimeS());
            ps.setString(5, new String(raw, StandardCharsets.UTF_8));
            if (ps.executeUpdate() == 0) {
              return 0;
            }
          }
          try (PreparedStatement ps = c.prepareStatement(LATEST)) {
            ps.setString(1, hb.deviceId());
            ps.setLong(2, hb.ts());
            ps.setString(3, hb.agentVersion());
            ps.setString(4, json(hb.models()));
            ps.setString(5, json(hb.metrics()));
            ps.setString(6, json(hb.link()));
            ps.setLong(7, futureBound());
            return ps.executeUpdate();
          }
        });
  }

  private static long futureBound() {
    return System.currentTimeMillis() + Provenance.MAX_CLOCK_SKEW.toMillis();
  }

  private static String json(Object o) {
    return o == null ? null : new String(ProtocolJson.write(o), StandardCharsets.UTF_8);
  }
}
