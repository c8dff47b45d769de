package dev.kiln.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One table set's own series of schema versions: its name (the key of its rows in {@code
 * kiln_schema_versions}) and its scripts, oldest first, read from beside an anchor class. Version N
 * is the Nth script. A script is appended, never edited once released.
 *
 * @param name e.g. {@code captures}, {@code fleet}, {@code inbox}
 * @param anchor the class whose package holds the scripts
 * @param scripts resource names relative to the anchor, oldest first
 * @param legacy a query listing the versions an older Kiln recorded in a table of its own (adopted
 *     once, when the series has no rows yet and that table exists), or null
 */
public record SchemaSeries(String name, Class<?> anchor, List<String> scripts, Legacy legacy) {

  /**
   * Where an older Kiln recorded this series' versions: a table with an integer column, and where
   * that table held several series, the column naming each ({@code componentColumn}, matched
   * against this series' name; null where the table held this series alone).
   */
  public record Legacy(String table, String column, String componentColumn) {}

  /**
   * The table in which Kiln before the one migration series versioned the fleet's and the cloud
   * service's tables on PostgreSQL: rows {@code (component, version)}, the component being the
   * series' name ({@code fleet}, {@code inbox}, {@code tokens}, {@code replicas}).
   */
  private static final Legacy POSTGRES_COMPONENTS =
      new Legacy("kiln_schema", "version", "component");

  public SchemaSeries {
    scripts = List.copyOf(scripts);
  }

  /** Scripts named explicitly, oldest first. */
  public static SchemaSeries of(String name, Class<?> anchor, String... scripts) {
    return new SchemaSeries(name, anchor, List.of(scripts), null);
  }

  /**
   * Numbered scripts {@code folder/0001.sql}, {@code 0002.sql}, ... beside the anchor; the first
   * gap ends the list, so a new version is one new file.
   */
  public static SchemaSeries numbered(String name, Class<?> anchor, String folder) {
    List<String> found = new ArrayList<>();
    for (int v = 1; ; v++) {
      String script = String.format("%s/%04d.sql", folder, v);
      if (anchor.getResource(script) == null) {
        return new SchemaSeries(name, anchor, found, null);
      }
      found.add(script);
    }
  }

  /** This series, adopting the versions an older Kiln recorded in {@code table.column}. */
  public SchemaSeries adopting(String table, String column) {
    return new SchemaSeries(name, anchor, scripts, new Legacy(table, column, null));
  }

  /**
   * This series, adopting the versions an older Kiln recorded for it in {@code kiln_schema
   * (component, version)} on PostgreSQL, so a database made by that Kiln is not migrated again from
   * version 1.
   */
  public SchemaSeries adoptingPostgresComponent() {
    return new SchemaSeries(name, anchor, scripts, POSTGRES_COMPONENTS);
  }

  /** The newest version the scripts reach. */
  public int latest() {
    return scripts.size();
  }

  /** The text of version {@code version} (1-based). */
  String script(int version) {
    String resource = scripts.get(version - 1);
    try (InputStream in = anchor.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("migration " + resource + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read migration " + resource, e);
    }
  }
}
