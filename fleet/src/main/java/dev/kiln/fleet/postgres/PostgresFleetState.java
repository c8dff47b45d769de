package dev.kiln.fleet.postgres;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import dev.kiln.fleet.rollout.Deployment;
import dev.kiln.fleet.state.ConsoleRequest;
import dev.kiln.fleet.state.DeviceRecord;
import dev.kiln.fleet.state.FleetState;
import dev.kiln.fleet.state.StateChanges;
import dev.kiln.json.JsonMappers;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fleet state in PostgreSQL, shared by console replicas (see {@link FleetState} for the contract).
 * Each {@link #write} is one transaction that first checks the leader lease's epoch ({@link
 * LeaderLease#check}); a state opened without a fence only reads and queues requests. One
 * connection, reopened after an error; calls are serialized.
 */
public final class PostgresFleetState implements FleetState {
  private static final ObjectMapper JSON = JsonMappers.tolerant();

  private final LeaderLease.Fence fence;
  private final DeploymentTables deployments = new DeploymentTables();
  private final ReconnectingConnection connection;

  private PostgresFleetState(PostgresUrl url, LeaderLease.Fence fence) {
    this.fence = fence;
    this.connection =
        new ReconnectingConnection(
                url,
                e ->
                    new FleetException(
                        FleetErrorCode.STATE_IO,
                        "fleet state on " + url + ": " + e.getMessage(),
                        e),
                List.of(FleetSchema.SERIES))
            .open(); // a bad URL fails at start
  }

  /** For the console that holds the lease under {@code fence}. */
  public static PostgresFleetState forLeader(PostgresUrl url, LeaderLease.Fence fence) {
    return new PostgresFleetState(url, fence);
  }

  /** For commands that read the state and queue requests. */
  public static PostgresFleetState forReading(PostgresUrl url) {
    return new PostgresFleetState(url, null);
  }

  @Override
  public synchronized List<DeviceRecord> loadDevices() {
    return run(
        c -> {
          List<DeviceRecord> out = new ArrayList<>();
          try (PreparedStatement p =
                  c.prepareStatement("SELECT record FROM fleet_devices ORDER BY device_id");
              ResultSet r = p.executeQuery()) {
            while (r.next()) {
              out.add(read(r.getString(1), DeviceRecord.class));
            }
          }
          return out;
        });
  }

  @Override
  public synchronized List<Deployment> loadDeployments() {
    return run(deployments::loadAll);
  }

  @Override
  public synchronized Deployment loadDeployment(String id) {
    Deployment d = run(c -> deployments.load(c, id));
    if (d == null) {
      throw new FleetException(
          FleetErrorCode.NOT_FOUND,
          "no deployment " + id + " in " + connection.url() + "; list them with kiln fleet status");
    }
    return d;
  }

  @Override
  public synchronized void write(StateChanges changes) {
    if (fence == null) {
      throw new FleetException(
          FleetErrorCode.CONFIG_INVALID,
          "fleet state on " + connection.url() + " was opened for reading");
    }
    if (changes.empty()) {
      return;
    }
    run(
        c -> {
          c.setAutoCommit(false);
          try {
            LeaderLease.check(c, fence);
            writeDevices(c, changes.devices());
            deployments.write(c, changes.deployments());
            writeCommands(c, changes.commands());
            AuditTable.append(c, changes.audit());
            markDone(c, changes.requestsDone());
            c.commit();
            deployments.committed();
            return null;
          } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
          } finally {
            c.setAutoCommit(true);
          }
        });
  }

  private static void writeDevices(Connection c, List<DeviceRecord> devices) throws SQLException {
    if (devices.isEmpty()) {
      return;
    }
    try (PreparedStatement p =
        c.prepareStatement(
            "INSERT INTO fleet_devices (device_id, record) VALUES (?, ?) ON CONFLICT (device_id)"
                + " DO UPDATE SET record = EXCLUDED.record, updated_at = now()")) {
      for (DeviceRecord d : devices) {
        p.setString(1, d.deviceId());
        p.setString(2, json(d));
        p.addBatch();
      }
      p.executeBatch();
    }
  }

  private void writeCommands(Connection c, List<StateChanges.RecordedCommand> commands)
      throws SQLException {
    if (commands.isEmpty()) {
      return;
    }
    try (PreparedStatement p =
        c.prepareStatement(
            "INSERT INTO fleet_commands (command_id, device_id, deployment_id, body, epoch)"
                + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (command_id) DO NOTHING")) {
      for (StateChanges.RecordedCommand rc : commands) {
        p.setString(1, rc.id());
        p.setString(2, rc.deviceId());
        p.setString(3, rc.deploymentId());
        p.setBytes(4, rc.body());
        p.setLong(5, fence.epoch());
        p.addBatch();
      }
      p.executeBatch();
    }
  }

  private static void markDone(Connection c, List<String> ids) throws SQLException {
    if (ids.isEmpty()) {
      return;
    }
    try (PreparedStatement p =
        c.prepareStatement("UPDATE fleet_requests SET done = true WHERE id = ?")) {
      for (String id : ids) {
        p.setString(1, id);
        p.addBatch();
      }
      p.executeBatch();
    }
  }

  @Override
  public synchronized Map<String, byte[]> recordedCommands(Collection<String> commandIds) {
    if (commandIds.isEmpty()) {
      return Map.of();
    }
    return run(
        c -> {
          Map<String, byte[]> out = new HashMap<>();
          try (PreparedStatement p =
              c.prepareStatement(
                  "SELECT command_id, body FROM fleet_commands WHERE command_id = ANY (?)")) {
            p.setArray(1, c.createArrayOf("text", commandIds.toArray()));
            try (ResultSet r = p.executeQuery()) {
              while (r.next()) {
                out.put(r.getString(1), r.getBytes(2));
              }
            }
          }
          return out;
        });
  }

  @Override
  public synchronized List<byte[]> auditLines() {
    return run(AuditTable::lines);
  }

  @Override
  public String auditWhere() {
    return "table fleet_audit on " + connection.url();
  }

  @Override
  public synchronized void submit(ConsoleRequest request) {
    run(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement(
                  "INSERT INTO fleet_requests (id, at, body) VALUES (?, ?, ?)"
                      + " ON CONFLICT (id) DO NOTHING")) {
            p.setString(1, request.id());
            p.setLong(2, request.at());
            p.setString(3, json(request));
            return p.executeUpdate();
          }
        });
  }

  @Override
  public synchronized List<ConsoleRequest> pendingRequests() {
    return run(
        c -> {
          List<ConsoleRequest> out = new ArrayList<>();
          try (PreparedStatement p =
                  c.prepareStatement(
                      "SELECT body FROM fleet_requests WHERE NOT done ORDER BY at, id");
              ResultSet r = p.executeQuery()) {
            while (r.next()) {
              out.add(read(r.getString(1), ConsoleRequest.class));
            }
          }
          return out;
        });
  }

  private <T> T run(ReconnectingConnection.Work<T> work) {
    return connection.run(work);
  }

  private static <T> T read(String json, Class<T> type) {
    try {
      return JSON.readValue(json, type);
    } catch (IOException e) {
      throw new FleetException(
          FleetErrorCode.STATE_IO, "unreadable " + type.getSimpleName() + " in PostgreSQL", e);
    }
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    connection.close();
  }
}
