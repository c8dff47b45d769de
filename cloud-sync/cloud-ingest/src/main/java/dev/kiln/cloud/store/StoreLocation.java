package dev.kiln.cloud.store;

import dev.kiln.cloud.CloudErrorCode;
import dev.kiln.cloud.CloudException;
import java.nio.file.Path;

/**
 * Where captures are stored: {@code duckdb:PATH} (the embedded default, one file, one writing
 * process) or {@code postgresql://host:port/db?user=...} (shared by replicas). Parsed from the
 * {@code --store} option; {@code --db PATH} is a synonym of {@code duckdb:PATH}.
 */
public sealed interface StoreLocation {
  String DEFAULT_FILE = "kiln-cloud.duckdb";

  /** A DuckDB file. */
  record DuckDb(Path file) implements StoreLocation {
    @Override
    public String toString() {
      return "duckdb:" + file;
    }
  }

  /**
   * A PostgreSQL database.
   *
   * @param uri as given, {@code postgresql://...}: the JDBC URL is {@code jdbc:} before it
   */
  record Postgres(String uri) implements StoreLocation {
    public String jdbcUrl() {
      return "jdbc:" + uri;
    }

    /** The URI without its password, for logs and messages. */
    @Override
    public String toString() {
      return uri.replaceAll("(?i)(password=)[^&]*", "$1***")
          .replaceAll("//[^/@]*:[^/@]*@", "//***@");
    }
  }

  static StoreLocation duckdb(Path file) {
    return new DuckDb(file);
  }

  /**
   * From {@code --store} and {@code --db}: at most one of them; neither means the default DuckDB
   * file.
   */
  public static StoreLocation choose(String store, Path db) {
    if (store != null && db != null) {
      throw new CloudException(
          CloudErrorCode.USAGE,
          "give --store or --db (a synonym of --store duckdb:PATH), not both");
    }
    if (store != null) {
      return parse(store);
    }
    return new DuckDb(db != null ? db : Path.of(DEFAULT_FILE));
  }

  public static StoreLocation parse(String s) {
    if (s.startsWith("duckdb:")) {
      String path = s.substring("duckdb:".length());
      if (!path.isEmpty()) {
        return new DuckDb(Path.of(path));
      }
    } else if (s.startsWith("postgresql://")) {
      return new Postgres(s);
    } else if (s.startsWith("postgres://")) {
      return new Postgres("postgresql://" + s.substring("postgres://".length()));
    }
    throw new CloudException(
        CloudErrorCode.USAGE,
        "--store '" + s + "' is neither duckdb:PATH nor postgresql://host:port/database?user=NAME");
  }
}
