package dev.kiln.cloud.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.TreeMap;

/**
 * The captures insert both stores run inside their own transaction, one call per MQTT batch,
 * de-duplicating on the record id ({@code ON CONFLICT DO NOTHING}). DuckDB takes the batch through
 * its appender into an in-memory staging table, then one {@code INSERT ... SELECT ... ON CONFLICT
 * DO NOTHING} ({@link DuckDbStaging}). PostgreSQL takes the whole batch in one {@code INSERT ...
 * SELECT FROM unnest(arrays) ... ON CONFLICT DO NOTHING}. Rows go in record-id order, so two
 * PostgreSQL replicas inserting overlapping batches (a redelivery) take their row locks in the same
 * order and cannot deadlock.
 */
final class CaptureInsert {
  static final String COLUMNS =
      "id, device_id, model, version, variant, ts, latency_ms, shadow, truncated, output_top,"
          + " output_max, inputs, outputs, batch_id, request_id, output_first, custom_attributes";
  private static final String UNNEST =
      "INSERT INTO captures ("
          + COLUMNS
          + ") SELECT u.id, u.device_id, u.model, u.version, u.variant, epoch_ms(u.ts),"
          + " u.latency_ms, u.shadow, u.truncated, u.output_top, u.output_max, u.inputs,"
          + " u.outputs, ?, u.request_id, u.output_first, u.custom_attributes"
          + " FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::int8[],"
          + " ?::float8[], ?::bool[], ?::bool[], ?::int4[], ?::float8[], ?::text[], ?::text[],"
          + " ?::text[], ?::float8[], ?::text[])"
          + " AS u(id, device_id, model, version, variant, ts, latency_ms, shadow, truncated,"
          + " output_top, output_max, inputs, outputs, request_id, output_first,"
          + " custom_attributes)"
          + " ORDER BY u.id ON CONFLICT DO NOTHING";

  private CaptureInsert() {}

  /** Inserts {@code rows} on {@code c} (no commit); returns how many were new. */
  static int insert(Connection c, Dialect dialect, List<CaptureRow> rows, String batchId)
      throws SQLException {
    TreeMap<String, CaptureRow> unique = new TreeMap<>();
    for (CaptureRow r : rows) {
      unique.putIfAbsent(r.record().id(), r);
    }
    List<CaptureRow> sorted = List.copyOf(unique.values());
    if (sorted.isEmpty()) {
      return 0;
    }
    if (dialect == Dialect.POSTGRESQL) {
      return unnest(c, sorted, batchId);
    }
    return DuckDbStaging.insert(c, sorted, batchId);
  }

  /**
   * One statement per batch whatever its size: each column travels as one array parameter and
   * {@code unnest} turns them back into rows. Measured 2-2.5x the rate of {@code COPY} into a
   * staging table (which TOASTs every tensor twice) and of multi-row {@code VALUES}.
   */
  private static int unnest(Connection c, List<CaptureRow> rows, String batchId)
      throws SQLException {
    int n = rows.size();
    String[] id = new String[n];
    String[] device = new String[n];
    String[] model = new String[n];
    String[] version = new String[n];
    String[] variant = new String[n];
    Long[] ts = new Long[n];
    Double[] latency = new Double[n];
    Boolean[] shadow = new Boolean[n];
    Boolean[] truncated = new Boolean[n];
    Integer[] top = new Integer[n];
    Double[] max = new Double[n];
    String[] inputs = new String[n];
    String[] outputs = new String[n];
    String[] request = new String[n];
    Double[] first = new Double[n];
    String[] custom = new String[n];
    for (int k = 0; k < n; k++) {
      CaptureRow row = rows.get(k);
      var r = row.record();
      id[k] = r.id();
      device[k] = r.deviceId();
      model[k] = r.model();
      version[k] = r.version();
      variant[k] = r.variant();
      ts[k] = r.timestampMs();
      latency[k] = r.latencyMs();
      shadow[k] = r.shadow();
      truncated[k] = r.truncated();
      top[k] = row.outputTop();
      max[k] = row.outputMax();
      inputs[k] = row.inputsJson();
      outputs[k] = row.outputsJson();
      request[k] = r.requestId();
      first[k] = row.outputFirst();
      custom[k] = r.customAttributes();
    }
    try (PreparedStatement ps = c.prepareStatement(UNNEST)) {
      int i = 1;
      ps.setString(i++, batchId);
      ps.setArray(i++, c.createArrayOf("text", id));
      ps.setArray(i++, c.createArrayOf("text", device));
      ps.setArray(i++, c.createArrayOf("text", model));
      ps.setArray(i++, c.createArrayOf("text", version));
      ps.setArray(i++, c.createArrayOf("text", variant));
      ps.setArray(i++, c.createArrayOf("int8", ts));
      ps.setArray(i++, c.createArrayOf("float8", latency));
      ps.setArray(i++, c.createArrayOf("bool", shadow));
      ps.setArray(i++, c.createArrayOf("bool", truncated));
      ps.setArray(i++, c.createArrayOf("int4", top));
      ps.setArray(i++, c.createArrayOf("float8", max));
      ps.setArray(i++, c.createArrayOf("text", inputs));
      ps.setArray(i++, c.createArrayOf("text", outputs));
      ps.setArray(i++, c.createArrayOf("text", request));
      ps.setArray(i++, c.createArrayOf("float8", first));
      ps.setArray(i++, c.createArrayOf("text", custom));
      return ps.executeUpdate();
    }
  }
}
