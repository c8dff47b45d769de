package dev.kiln.fleet.postgres;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import dev.kiln.fleet.rollout.Deployment;
import dev.kiln.fleet.rollout.DeviceRollout;
import dev.kiln.json.JsonMappers;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A deployment as a header row ({@code fleet_deployments}: the state machine, phases, history,
 * without the devices) and one row per device ({@code fleet_deployment_devices}). Only rows that
 * changed since they were last written or read are written, in one batch: a reply storm over 10,000
 * devices rewrites the rows it moved, not a 10,000-row document.
 */
final class DeploymentTables {
  private static final ObjectMapper JSON = JsonMappers.tolerant();

  /** Each deployment's rows as last written or read, to find the ones that changed. */
  private final Map<String, Map<String, DeviceRollout>> written = new HashMap<>();

  /** What {@link #write} wrote, kept until the transaction commits. */
  private final Map<String, Map<String, DeviceRollout>> pending = new HashMap<>();

  List<Deployment> loadAll(Connection c) throws SQLException {
    Map<String, Map<String, DeviceRollout>> rows = new HashMap<>();
    try (PreparedStatement p =
            c.prepareStatement(
                "SELECT deployment_id, device_id, row_json FROM fleet_deployment_devices"
                    + " ORDER BY deployment_id, pos");
        ResultSet r = p.executeQuery()) {
      while (r.next()) {
        rows.computeIfAbsent(r.getString(1), k -> new LinkedHashMap<>())
            .put(r.getString(2), read(r.getString(3), DeviceRollout.class, r.getString(1)));
      }
    }
    List<Deployment> out = new ArrayList<>();
    try (PreparedStatement p =
            c.prepareStatement("SELECT id, header FROM fleet_deployments ORDER BY created_at, id");
        ResultSet r = p.executeQuery()) {
      while (r.next()) {
        Map<String, DeviceRollout> its = rows.getOrDefault(r.getString(1), new LinkedHashMap<>());
        out.add(assemble(r.getString(1), r.getString(2), its));
      }
    }
    return out;
  }

  /** One deployment, or null when there is none with this id. */
  Deployment load(Connection c, String id) throws SQLException {
    String header;
    try (PreparedStatement p =
        c.prepareStatement("SELECT header FROM fleet_deployments WHERE id = ?")) {
      p.setString(1, id);
      try (ResultSet r = p.executeQuery()) {
        if (!r.next()) {
          return null;
        }
        header = r.getString(1);
      }
    }
    Map<String, DeviceRollout> rows = new LinkedHashMap<>();
    try (PreparedStatement p =
        c.prepareStatement(
            "SELECT device_id, row_json FROM fleet_deployment_devices WHERE deployment_id = ?"
                + " ORDER BY pos")) {
      p.setString(1, id);
      try (ResultSet r = p.executeQuery()) {
        while (r.next()) {
          rows.put(r.getString(1), read(r.getString(2), DeviceRollout.class, id));
        }
      }
    }
    return assemble(id, header, rows);
  }

  /** Upserts the headers and the changed rows of {@code deployments}, inside the caller's tx. */
  void write(Connection c, List<Deployment> deployments) throws SQLException {
    pending.clear();
    if (deployments.isEmpty()) {
      return;
    }
    try (PreparedStatement h =
            c.prepareStatement(
                "INSERT INTO fleet_deployments (id, created_at, state, header) VALUES (?, ?, ?, ?)"
                    + " ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state,"
                    + " header = EXCLUDED.header");
        PreparedStatement rows =
            c.prepareStatement(
                "INSERT INTO fleet_deployment_devices"
                    + " (deployment_id, device_id, pos, status, command_id, row_json)"
                    + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (deployment_id, device_id) DO UPDATE"
                    + " SET pos = EXCLUDED.pos, status = EXCLUDED.status,"
                    + " command_id = EXCLUDED.command_id, row_json = EXCLUDED.row_json")) {
      for (Deployment d : deployments) {
        ObjectNode header = JSON.valueToTree(d);
        header.remove("devices");
        h.setString(1, d.id());
        h.setLong(2, d.createdAt());
        h.setString(3, d.state().name());
        h.setString(4, header.toString());
        h.addBatch();
      }
      h.executeBatch();
      for (Deployment d : deployments) {
        Map<String, DeviceRollout> before = written.getOrDefault(d.id(), Map.of());
        Map<String, DeviceRollout> now = new HashMap<>(d.devices());
        int pos = 0;
        for (DeviceRollout row : d.devices().values()) {
          if (!row.equals(before.get(row.deviceId()))) {
            rows.setString(1, d.id());
            rows.setString(2, row.deviceId());
            rows.setInt(3, pos);
            rows.setString(4, row.status().name());
            rows.setString(5, row.commandId());
            rows.setString(6, json(row));
            rows.addBatch();
          }
          pos++;
        }
        pending.put(d.id(), now);
      }
      rows.executeBatch();
    }
  }

  /** The transaction of the last {@link #write} committed: its rows are now what is stored. */
  void committed() {
    written.putAll(pending);
    pending.clear();
  }

  private Deployment assemble(String id, String header, Map<String, DeviceRollout> rows) {
    try {
      ObjectNode node = (ObjectNode) JSON.readTree(header);
      node.set("devices", JSON.valueToTree(rows));
      Deployment d = JSON.treeToValue(node, Deployment.class);
      written.put(id, new HashMap<>(rows));
      return d;
    } catch (IOException e) {
      throw corrupt(id, e);
    }
  }

  private static <T> T read(String json, Class<T> type, String deployment) {
    try {
      return JSON.readValue(json, type);
    } catch (IOException e) {
      throw corrupt(deployment, e);
    }
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static FleetException corrupt(String id, IOException e) {
    return new FleetException(
        FleetErrorCode.STATE_IO,
        "deployment " + id + " in PostgreSQL is not readable (" + e.getMessage() + ")",
        e);
  }
}
