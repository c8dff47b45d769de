package dev.kiln.fleet.postgres;

import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

/**
 * The console's leader lease: one row of {@code fleet_lease} (holder, epoch, expires_at), taken and
 * renewed with conditional UPDATEs on the database's clock, so replicas' clocks need not agree.
 * Taking the lease increments the epoch, the fencing token: every write of {@link
 * PostgresFleetState} checks it under a row lock in its own transaction, so once another replica
 * has taken over, a stale leader's writes fail ({@code FENCED}) and their commands are never sent.
 * Uses its own connection, so a renewal never waits behind the console's batch.
 */
public final class LeaderLease implements AutoCloseable {
  /** Who holds the lease under which epoch: what a fenced write checks. */
  public record Fence(String holder, long epoch) {}

  private static final String NAME = "console";

  private final Duration ttl;
  private final ReconnectingConnection connection;

  public LeaderLease(PostgresUrl url, Duration ttl) {
    this.ttl = ttl;
    this.connection =
        new ReconnectingConnection(
            url,
            e ->
                new FleetException(
                    FleetErrorCode.STATE_IO, "leader lease on " + url + ": " + e.getMessage(), e),
            List.of(FleetSchema.SERIES));
  }

  public Duration ttl() {
    return ttl;
  }

  /** Takes the lease if it is free or expired; the new epoch, or empty while another holds it. */
  public synchronized OptionalLong tryAcquire(String holder) {
    String sql =
        "UPDATE fleet_lease SET holder = ?, epoch = epoch + 1,"
            + " expires_at = now() + ? * interval '1 millisecond'"
            + " WHERE name = ? AND (holder IS NULL OR expires_at < now()) RETURNING epoch";
    return run(
        c -> {
          try (PreparedStatement p = c.prepareStatement(sql)) {
            p.setString(1, holder);
            p.setLong(2, ttl.toMillis());
            p.setString(3, NAME);
            try (ResultSet r = p.executeQuery()) {
              return r.next() ? OptionalLong.of(r.getLong(1)) : OptionalLong.empty();
            }
          }
        });
  }

  /** Extends the lease; false when it is no longer this holder's under this epoch. */
  public synchronized boolean renew(Fence fence) {
    String sql =
        "UPDATE fleet_lease SET expires_at = now() + ? * interval '1 millisecond'"
            + " WHERE name = ? AND holder = ? AND epoch = ?";
    return run(
        c -> {
          try (PreparedStatement p = c.prepareStatement(sql)) {
            p.setLong(1, ttl.toMillis());
            p.setString(2, NAME);
            p.setString(3, fence.holder());
            p.setLong(4, fence.epoch());
            return p.executeUpdate() == 1;
          }
        });
  }

  /** Lets the lease go at once (a clean stop), so a follower takes over without waiting it out. */
  public synchronized void release(Fence fence) {
    run(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement(
                  "UPDATE fleet_lease SET holder = NULL WHERE name = ? AND holder = ? AND epoch = ?")) {
            p.setString(1, NAME);
            p.setString(2, fence.holder());
            p.setLong(3, fence.epoch());
            return p.executeUpdate();
          }
        });
  }

  /** The current holder and epoch (holder null when free). */
  public synchronized Fence current() {
    return run(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement("SELECT holder, epoch FROM fleet_lease WHERE name = ?")) {
            p.setString(1, NAME);
            try (ResultSet r = p.executeQuery()) {
              r.next();
              return new Fence(r.getString(1), r.getLong(2));
            }
          }
        });
  }

  /**
   * Inside a write transaction on {@code c}: locks the lease row (FOR SHARE, so a takeover waits
   * for this transaction and this transaction for a takeover) and throws {@code FENCED} unless
   * {@code fence} still holds it.
   */
  static void check(Connection c, Fence fence) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement("SELECT holder, epoch FROM fleet_lease WHERE name = ? FOR SHARE")) {
      p.setString(1, NAME);
      try (ResultSet r = p.executeQuery()) {
        if (!r.next() || r.getLong(2) != fence.epoch() || !fence.holder().equals(r.getString(1))) {
          throw new FleetException(
              FleetErrorCode.FENCED,
              "console "
                  + fence.holder()
                  + " (epoch "
                  + fence.epoch()
                  + ") no longer leads; the write was refused");
        }
      }
    }
  }

  private <T> T run(ReconnectingConnection.Work<T> work) {
    return connection.run(work);
  }

  @Override
  public void close() {
    connection.close();
  }
}
