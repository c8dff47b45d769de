package dev.kiln.cloud.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.cloud.store.QueryResult;
import dev.kiln.table.TextTable;
import java.io.PrintWriter;
import java.util.List;

/** Query results for people (aligned columns) and for scripts (a JSON array of objects). */
final class QueryResultFormat {
  private QueryResultFormat() {}

  /** The rows as the one text table every command prints, then how many there are. */
  static void table(PrintWriter out, QueryResult r) {
    TextTable table = new TextTable(r.columns().toArray(String[]::new));
    for (List<Object> row : r.rows()) {
      table.row(row.toArray());
    }
    out.print(table.render());
    out.println("(" + r.rows().size() + (r.rows().size() == 1 ? " row)" : " rows)"));
  }

  static ArrayNode json(QueryResult r) {
    ArrayNode arr = JsonNodeFactory.instance.arrayNode();
    for (List<Object> row : r.rows()) {
      ObjectNode o = arr.addObject();
      for (int c = 0; c < r.columns().size(); c++) {
        Object v = row.get(c);
        String k = r.columns().get(c);
        if (v == null) {
          o.putNull(k);
        } else if (v instanceof Boolean b) {
          o.put(k, b);
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short) {
          o.put(k, ((Number) v).longValue());
        } else if (v instanceof java.math.BigInteger bi) {
          o.put(k, bi);
        } else if (v instanceof java.math.BigDecimal bd) {
          o.put(k, bd);
        } else if (v instanceof Number n) {
          o.put(k, n.doubleValue());
        } else {
          o.put(k, v.toString());
        }
      }
    }
    return arr;
  }
}
