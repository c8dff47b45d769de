package dev.kiln.cloud.service.auth;

import dev.kiln.cloud.service.postgres.ServiceTable;
import dev.kiln.fleet.postgres.PostgresUrl;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The API's tokens as the table {@code service_tokens} on the PostgreSQL that service replicas
 * share: name, role and the SHA-256 of each token. A token is stored when {@link #create} returns
 * and every replica accepts it from then on: each call looks the hash up (one indexed read), so
 * nothing is cached that could go stale. Table versioned as component {@code tokens}.
 */
public final class PostgresTokenStore implements TokenStore, AutoCloseable {
  private static final List<String> MIGRATIONS = List.of("V1__api_tokens.sql");

  private final ServiceTable table;
  private final Path stateDir;

  private PostgresTokenStore(PostgresUrl url, Path stateDir) {
    this.table = new ServiceTable(url, "tokens", MIGRATIONS);
    this.stateDir = stateDir;
  }

  /**
   * @param stateDir where {@link #createFirstAdmin} writes {@code admin.token} on the replica that
   *     creates it
   */
  public static PostgresTokenStore open(PostgresUrl url, Path stateDir) {
    PostgresTokenStore store = new PostgresTokenStore(url, stateDir);
    store.table.run(c -> null); // connect and migrate now: a bad URL fails at start
    return store;
  }

  @Override
  public Caller authenticate(String token) {
    if (token == null || token.isBlank()) {
      return null;
    }
    return table.run(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement("SELECT name, role FROM service_tokens WHERE sha256 = ?")) {
            p.setString(1, TokenStore.hash(token));
            try (ResultSet r = p.executeQuery()) {
              return r.next() ? new Caller(r.getString(1), Role.parse(r.getString(2))) : null;
            }
          }
        });
  }

  @Override
  public String create(String name, Role role) {
    TokenStore.checkName(name);
    String token = TokenStore.newToken();
    table.run(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement(
                  "INSERT INTO service_tokens (sha256, name, role) VALUES (?, ?, ?)")) {
            p.setString(1, TokenStore.hash(token));
            p.setString(2, name);
            p.setString(3, role.wireName());
            return p.executeUpdate();
          }
        });
    return token;
  }

  /**
   * Replicas that start together race for this: the insert happens only while the table is empty,
   * under a transaction-level advisory lock, so exactly one of them creates the admin token and
   * writes it into its own state dir.
   */
  @Override
  public Path createFirstAdmin() {
    String token = TokenStore.newToken();
    boolean created =
        table.run(
            c -> {
              c.setAutoCommit(false);
              try (Statement s = c.createStatement();
                  PreparedStatement p =
                      c.prepareStatement(
                          "INSERT INTO service_tokens (sha256, name, role)"
                              + " SELECT ?, 'admin', ? WHERE NOT EXISTS (SELECT 1 FROM"
                              + " service_tokens)")) {
                s.execute("SELECT pg_advisory_xact_lock(hashtext('kiln service_tokens'))");
                p.setString(1, TokenStore.hash(token));
                p.setString(2, Role.ADMIN.wireName());
                boolean inserted = p.executeUpdate() == 1;
                c.commit();
                return inserted;
              } catch (java.sql.SQLException | RuntimeException e) {
                c.rollback();
                throw e;
              } finally {
                c.setAutoCommit(true);
              }
            });
    return created ? TokenStore.writeAdminToken(stateDir, token) : null;
  }

  @Override
  public List<Entry> entries() {
    return table.run(
        c -> {
          List<Entry> out = new ArrayList<>();
          try (PreparedStatement p =
                  c.prepareStatement(
                      "SELECT name, role, sha256, created_at FROM service_tokens ORDER BY"
                          + " created_at");
              ResultSet r = p.executeQuery()) {
            while (r.next()) {
              out.add(
                  new Entry(
                      r.getString(1),
                      r.getString(2),
                      r.getString(3),
                      r.getTimestamp(4).toInstant().toString()));
            }
          }
          return out;
        });
  }

  @Override
  public void close() {
    table.close();
  }
}
