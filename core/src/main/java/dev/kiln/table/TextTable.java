package dev.kiln.table;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table for a terminal: a header line, then one line per row, columns left-aligned and
 * two spaces apart, no trailing blanks. A missing, null or empty cell shows as {@code -}, so every
 * column keeps a visible value and a reader (or {@code awk}) never sees a gap.
 */
public final class TextTable {
  private static final String EMPTY = "-";
  private static final String GAP = "  ";

  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();

  public TextTable(String... headers) {
    this.headers = List.of(headers);
  }

  /** Adds one row; cells are shown with {@code toString()}. Extra cells beyond the headers fail. */
  public TextTable row(Object... cells) {
    if (cells.length > headers.size()) {
      throw new IllegalArgumentException(
          cells.length + " cells for " + headers.size() + " columns " + headers);
    }
    List<String> row = new ArrayList<>();
    for (Object cell : cells) {
      String text = cell == null ? "" : cell.toString();
      row.add(text.isEmpty() ? EMPTY : text);
    }
    rows.add(row);
    return this;
  }

  /** The table, each line ending in a newline. */
  public String render() {
    int[] widths = new int[headers.size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = headers.get(i).length();
      for (List<String> row : rows) {
        widths[i] = Math.max(widths[i], cell(row, i).length());
      }
    }
    StringBuilder out = new StringBuilder();
    line(out, headers, widths);
    for (List<String> row : rows) {
      line(out, row, widths);
    }
    return out.toString();
  }

  private static void line(StringBuilder out, List<String> cells, int[] widths) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < widths.length; i++) {
      String cell = cell(cells, i);
      line.append(i == 0 ? "" : GAP).append(cell).append(" ".repeat(widths[i] - cell.length()));
    }
    out.append(line.toString().stripTrailing()).append('\n');
  }

  private static String cell(List<String> cells, int i) {
    return i < cells.size() ? cells.get(i) : EMPTY;
  }
}
