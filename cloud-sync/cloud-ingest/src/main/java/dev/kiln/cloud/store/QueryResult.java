package dev.kiln.cloud.store;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

/** A query's columns and rows, values as JDBC returns them (timestamps as ISO-8601 strings). */
public record QueryResult(List<String> columns, List<List<Object>> rows) {

  public static QueryResult of(ResultSet rs) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    List<String> cols = new ArrayList<>();
    for (int i = 1; i <= md.getColumnCount(); i++) {
      cols.add(md.getColumnLabel(i));
    }
    List<List<Object>> rows = new ArrayList<>();
    while (rs.next()) {
      List<Object> row = new ArrayList<>(cols.size());
      for (int i = 1; i <= cols.size(); i++) {
        Object v = rs.getObject(i);
        if (v instanceof Timestamp t) {
          v = t.toLocalDateTime().toString();
        } else if (v instanceof java.time.temporal.TemporalAccessor) {
          v = v.toString();
        } else if (v != null && !(v instanceof Number) && !(v instanceof Boolean)) {
          v = v.toString();
        }
        row.add(v);
      }
      rows.add(row);
    }
    return new QueryResult(cols, rows);
  }

  /** Column {@code name} of row {@code i}. */
  public Object get(int i, String name) {
    return rows.get(i).get(columns.indexOf(name));
  }
}
