package dev.kiln.cloud.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.cloud.store.QueryResult;
import java.io.PrintWriter;
import java.util.List;

/** Query results for people (aligned columns) and for scripts (a JSON array of objects). */
final class TablePrinter {
  private TablePrinter() {}

  static void table(PrintWriter out, QueryResult r) {
    List<String> cols = r.columns();
    int[] width = new int[cols.size()];
    for (int c = 0; c < cols.size(); c++) {
      width[c] = cols.get(c).length();
      for (List<Object> row : r.rows()) {
        width[c] = Math.max(width[c], cell(row.get(c)).length());
      }
    }
    StringBuilder header = new StringBuilder();
    StringBuilder rule = new StringBuilder();
    for (int c = 0; c < cols.size(); c++) {
      header.append(c == 0 ? "" : "  ").append(pad(cols.get(c), width[c]));
      rule.append(c == 0 ? "" : "  ").append("-".repeat(width[c]));
    }
    out.println(header.toString().stripTrailing());
    out.println(rule);
    for (List<Object> row : r.rows()) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < cols.size(); c++) {
        Object v = row.get(c);
        String s = cell(v);
        line.append(c == 0 ? "" : "  ")
            .append(v instanceof Number ? " ".repeat(width[c] - s.length()) + s : pad(s, width[c]));
      }
      out.println(line.toString().stripTrailing());
    }
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

  private static String cell(Object v) {
    return v == null ? "" : v.toString();
  }

  private static String pad(String s, int w) {
    return s + " ".repeat(w - s.length());
  }
}
