package dev.kiln.cloud.service.deploy;

import dev.kiln.cloud.service.postgres.ServiceTable;
import dev.kiln.fleet.postgres.PostgresUrl;
import dev.kiln.fleet.rollout.ArtifactRef;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The artifact catalog as the table {@code service_artifacts} on the PostgreSQL that service
 * replicas share (component {@code artifacts}). An entry is stored when {@link #add} returns, and
 * every call reads the table, so an id registered through one replica resolves on every other at
 * once; nothing is cached that could go stale.
 */
public final class PostgresArtifactCatalog implements ArtifactCatalog, AutoCloseable {
  private static final List<String> MIGRATIONS = List.of("V1__artifacts.sql");
  private static final String COLUMNS =
      "id, model, version, target, path, signed_by, size_bytes, created_at";

  private final ServiceTable table;

  private PostgresArtifactCatalog(PostgresUrl url) {
    this.table = new ServiceTable(url, "artifacts", MIGRATIONS);
  }

  public static PostgresArtifactCatalog open(PostgresUrl url) {
    PostgresArtifactCatalog catalog = new PostgresArtifactCatalog(url);
    catalog.table.run(c -> null); // connect and migrate now: a bad URL fails at start
    return catalog;
  }

  @Override
  public Entry add(ArtifactRef ref) {
    Entry e = Entry.of(ref);
    return table.run(
        c -> {
          // A new id is listed; a known one moves only when its archive is now elsewhere, keeping
          // its place in the listing, as the file catalog does.
          try (PreparedStatement p =
              c.prepareStatement(
                  "INSERT INTO service_artifacts ("
                      + COLUMNS
                      + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                      + " model = EXCLUDED.model, version = EXCLUDED.version,"
                      + " target = EXCLUDED.target, path = EXCLUDED.path,"
                      + " signed_by = EXCLUDED.signed_by, size_bytes = EXCLUDED.size_bytes,"
                      + " created_at = EXCLUDED.created_at"
                      + " WHERE service_artifacts.path <> EXCLUDED.path")) {
            p.setString(1, e.id());
            p.setString(2, e.model());
            p.setString(3, e.version());
            p.setString(4, e.target());
            p.setString(5, e.path());
            p.setString(6, e.signedBy());
            p.setLong(7, e.sizeBytes());
            p.setString(8, e.createdAt());
            p.executeUpdate();
          }
          return one(c, "id = ?", e.id());
        });
  }

  @Override
  public Entry find(String idOrPath) {
    String abs = Path.of(idOrPath).toAbsolutePath().toString();
    return table.run(
        c -> {
          Entry byId = one(c, "id = ?", idOrPath);
          return byId != null ? byId : one(c, "path = ?", abs);
        });
  }

  @Override
  public List<Entry> all() {
    return table.run(
        c -> {
          try (PreparedStatement p =
                  c.prepareStatement(
                      "SELECT " + COLUMNS + " FROM service_artifacts ORDER BY listed");
              ResultSet r = p.executeQuery()) {
            List<Entry> out = new ArrayList<>();
            while (r.next()) {
              out.add(entry(r));
            }
            return out;
          }
        });
  }

  private static Entry one(Connection c, String where, String value) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "SELECT "
                + COLUMNS
                + " FROM service_artifacts WHERE "
                + where
                + " ORDER BY listed"
                + " LIMIT 1")) {
      p.setString(1, value);
      try (ResultSet r = p.executeQuery()) {
        return r.next() ? entry(r) : null;
      }
    }
  }

  private static Entry entry(ResultSet r) throws SQLException {
    return new Entry(
        r.getString(1),
        r.getString(2),
        r.getString(3),
        r.getString(4),
        r.getString(5),
        r.getString(6),
        r.getLong(7),
        r.getString(8));
  }

  @Override
  public void close() {
    table.close();
  }
}
