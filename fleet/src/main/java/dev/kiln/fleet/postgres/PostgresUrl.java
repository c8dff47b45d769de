package dev.kiln.fleet.postgres;

import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * A {@code postgresql://[USER[:PASSWORD]@]HOST[:PORT]/DATABASE[?PARAMS]} store URL (libpq's form),
 * turned into a JDBC connection. The password may also come from {@code PGPASSWORD}, so it need not
 * sit in a command line.
 */
public record PostgresUrl(String jdbcUrl, String user, String password, String shown) {
  public static final String SCHEME = "postgresql://";

  public static boolean matches(String store) {
    return store != null && store.startsWith(SCHEME);
  }

  public static PostgresUrl parse(String store) {
    if (!matches(store)) {
      throw bad(store, "it does not start with " + SCHEME);
    }
    URI uri;
    try {
      uri = new URI(store);
    } catch (URISyntaxException e) {
      throw bad(store, e.getMessage());
    }
    if (uri.getHost() == null || uri.getPath() == null || uri.getPath().length() < 2) {
      throw bad(store, "it needs a host and a database");
    }
    String user = null;
    String password = System.getenv("PGPASSWORD");
    if (uri.getRawUserInfo() != null) {
      String[] parts = uri.getRawUserInfo().split(":", 2);
      user = decode(parts[0]);
      if (parts.length == 2) {
        password = decode(parts[1]);
      }
    }
    int port = uri.getPort() < 0 ? 5432 : uri.getPort();
    // Batched upserts go out as multi-row statements: a 10,000-device phase is a few round trips.
    String params =
        "reWriteBatchedInserts=true" + (uri.getRawQuery() == null ? "" : "&" + uri.getRawQuery());
    String jdbc =
        "jdbc:postgresql://" + uri.getHost() + ":" + port + uri.getRawPath() + "?" + params;
    String shown =
        SCHEME + (user == null ? "" : user + "@") + uri.getHost() + ":" + port + uri.getRawPath();
    return new PostgresUrl(jdbc, user, password, shown);
  }

  public Connection connect() {
    Properties p = new Properties();
    if (user != null) {
      p.setProperty("user", user);
    }
    if (password != null) {
      p.setProperty("password", password);
    }
    p.setProperty("ApplicationName", "kiln-fleet");
    try {
      return DriverManager.getConnection(jdbcUrl, p);
    } catch (SQLException e) {
      throw new FleetException(
          FleetErrorCode.STATE_IO,
          "cannot connect to "
              + shown
              + ": "
              + e.getMessage()
              + "; check --store and that the server runs",
          e);
    }
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static FleetException bad(String store, String why) {
    return new FleetException(
        FleetErrorCode.CONFIG_INVALID,
        "--store '"
            + store
            + "' is not a PostgreSQL URL ("
            + why
            + "); use postgresql://USER@HOST:PORT/DATABASE");
  }

  @Override
  public String toString() {
    return shown;
  }
}
