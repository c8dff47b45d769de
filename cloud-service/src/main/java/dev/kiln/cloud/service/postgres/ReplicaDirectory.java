package dev.kiln.cloud.service.postgres;

import dev.kiln.fleet.postgres.PostgresUrl;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where each service replica serves its API ({@code service_replicas}), so a follower can hand the
 * calls that need the live console to the leader. The leader is whoever holds the console's lease
 * ({@code fleet_lease}) and has not let it expire; its address is the one it registered under the
 * same holder name. Each replica refreshes its row's {@code seen_at} while it runs ({@link #seen});
 * the leader removes the rows of replicas not seen for long ({@link #removeUnseen}), since every
 * start under a new {@code pid@host} adds one. Table versioned as schema series {@code replicas}.
 */
public final class ReplicaDirectory implements AutoCloseable {
  private static final List<String> MIGRATIONS =
      List.of("V1__replicas.sql", "V2__replicas_seen.sql");

  /** The replica that leads now: its lease holder name and API base URL (ending in /api/v1). */
  public record Leader(String holder, String apiUrl) {}

  private final ServiceTable table;

  private ReplicaDirectory(PostgresUrl url) {
    this.table = new ServiceTable(url, "replicas", MIGRATIONS);
  }

  public static ReplicaDirectory open(PostgresUrl url) {
    ReplicaDirectory d = new ReplicaDirectory(url);
    d.table.run(c -> null);
    return d;
  }

  /**
   * Records (or replaces) this replica's API address and console key id under its lease holder
   * name; returns the other console key ids registered in the last day, which should be none:
   * devices trust one console key.
   */
  public List<String> register(String holder, String apiUrl, String consoleKeyId) {
    return table.run(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement(
                  "INSERT INTO service_replicas (holder, api_url, console_key) VALUES (?, ?, ?)"
                      + " ON CONFLICT (holder) DO UPDATE SET api_url = EXCLUDED.api_url,"
                      + " console_key = EXCLUDED.console_key, started_at = now(),"
                      + " seen_at = now()")) {
            p.setString(1, holder);
            p.setString(2, apiUrl);
            p.setString(3, consoleKeyId);
            p.executeUpdate();
          }
          List<String> others = new ArrayList<>();
          try (PreparedStatement p =
              c.prepareStatement(
                  "SELECT DISTINCT console_key FROM service_replicas WHERE console_key <> ?"
                      + " AND started_at > now() - interval '1 day'")) {
            p.setString(1, consoleKeyId);
            try (ResultSet r = p.executeQuery()) {
              while (r.next()) {
                others.add(r.getString(1));
              }
            }
          }
          return others;
        });
  }

  /**
   * Notes that this replica still runs; puts its row back (as {@link #register} wrote it) if a
   * leader removed it meanwhile, e.g. after a long network partition.
   */
  public void seen(String holder, String apiUrl, String consoleKeyId) {
    table.run(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement(
                  "INSERT INTO service_replicas (holder, api_url, console_key) VALUES (?, ?, ?)"
                      + " ON CONFLICT (holder) DO UPDATE SET seen_at = now()")) {
            p.setString(1, holder);
            p.setString(2, apiUrl);
            p.setString(3, consoleKeyId);
            return p.executeUpdate();
          }
        });
  }

  /** Removes the rows of replicas not seen for {@code age}; returns how many. */
  public int removeUnseen(Duration age) {
    return table.run(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement(
                  "DELETE FROM service_replicas"
                      + " WHERE seen_at < now() - ? * interval '1 millisecond'")) {
            p.setLong(1, age.toMillis());
            return p.executeUpdate();
          }
        });
  }

  /** The holder names registered now, sorted. */
  public List<String> holders() {
    return table.run(
        c -> {
          List<String> out = new ArrayList<>();
          try (PreparedStatement p =
                  c.prepareStatement("SELECT holder FROM service_replicas ORDER BY holder");
              ResultSet r = p.executeQuery()) {
            while (r.next()) {
              out.add(r.getString(1));
            }
          }
          return out;
        });
  }

  /** The leader with an unexpired lease and a registered API; empty during a failover. */
  public Optional<Leader> leader() {
    return table.run(
        c -> {
          try (PreparedStatement p =
                  c.prepareStatement(
                      "SELECT l.holder, r.api_url FROM fleet_lease l JOIN service_replicas r"
                          + " ON r.holder = l.holder"
                          + " WHERE l.name = 'console' AND l.expires_at > now()");
              ResultSet r = p.executeQuery()) {
            return r.next()
                ? Optional.of(new Leader(r.getString(1), r.getString(2)))
                : Optional.<Leader>empty();
          }
        });
  }

  @Override
  public void close() {
    table.close();
  }
}
