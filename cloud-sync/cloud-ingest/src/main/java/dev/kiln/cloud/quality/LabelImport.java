package dev.kiln.cloud.quality;

import dev.kiln.cloud.CloudErrorCode;
import dev.kiln.cloud.CloudException;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.capture.FeedbackRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code kiln data label}: reads a CSV of labels ({@code request_id,label} or {@code
 * request_id,value}, header required) a line at a time and stores it in the {@code feedback} table
 * ({@code source = 'import'}) in transactions of {@link #CHUNK} rows, so a file of any length needs
 * memory for one chunk. A bad line stops the import with its line number; the chunks before it are
 * stored, and since an imported row's id is derived from its content, importing the fixed file
 * again adds only what is missing.
 */
public final class LabelImport {
  static final int CHUNK = 1000;

  /** Longer lines are refused rather than buffered: a label file has two short columns. */
  static final int MAX_LINE_CHARS = 4096;

  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** What an import stored. */
  public record Result(long rows, long inserted) {}

  private enum Column {
    LABEL,
    VALUE
  }

  private final FeedbackTable table;

  public LabelImport(FeedbackTable table) {
    this.table = table;
  }

  /** Imports {@code csv}; {@code name} is used in error messages. */
  public Result run(Reader csv, String name) throws IOException, SQLException {
    BufferedReader in = new BufferedReader(csv);
    String header = readLine(in, name, 1);
    Column column = header == null ? null : column(header);
    if (column == null) {
      throw bad(name, 1, "the header must be 'request_id,label' or 'request_id,value'");
    }
    long now = System.currentTimeMillis();
    List<FeedbackRecord> chunk = new ArrayList<>(CHUNK);
    long rows = 0;
    long inserted = 0;
    long lineNo = 1;
    String line;
    while ((line = readLine(in, name, ++lineNo)) != null) {
      if (line.isBlank()) {
        continue;
      }
      chunk.add(record(CsvLine.split(line), column, now, name, lineNo));
      rows++;
      if (chunk.size() == CHUNK) {
        inserted += table.insert(chunk, FeedbackTable.SOURCE_IMPORT, null);
        chunk.clear();
      }
    }
    if (!chunk.isEmpty()) {
      inserted += table.insert(chunk, FeedbackTable.SOURCE_IMPORT, null);
    }
    return new Result(rows, inserted);
  }

  private static Column column(String header) {
    List<String> names = CsvLine.split(header.strip().replace("\uFEFF", ""));
    if (names == null || names.size() != 2 || !names.get(0).strip().equals("request_id")) {
      return null;
    }
    return switch (names.get(1).strip()) {
      case "label" -> Column.LABEL;
      case "value" -> Column.VALUE;
      default -> null;
    };
  }

  private static FeedbackRecord record(
      List<String> cells, Column column, long now, String name, long lineNo) {
    if (cells == null || cells.size() != 2) {
      throw bad(name, lineNo, "expected two columns");
    }
    String requestId = cells.get(0).strip();
    if (!REQUEST_ID.matcher(requestId).matches()) {
      throw bad(name, lineNo, "request_id must be 1-64 of A-Z a-z 0-9 . _ -");
    }
    String cell = cells.get(1).strip();
    String label = null;
    Double value = null;
    if (column == Column.LABEL) {
      if (cell.isEmpty() || cell.length() > 256) {
        throw bad(name, lineNo, "label must be 1-256 characters");
      }
      label = cell;
    } else {
      try {
        value = Double.parseDouble(cell);
      } catch (NumberFormatException e) {
        value = null;
      }
      if (value == null || !Double.isFinite(value)) {
        throw bad(name, lineNo, "value must be a finite number, not '" + cell + "'");
      }
    }
    return new FeedbackRecord(
        FeedbackRecord.KIND,
        ProtocolJson.SCHEMA_VERSION,
        FeedbackRecord.idFor(FeedbackTable.SOURCE_IMPORT, requestId, label, value, null),
        null,
        requestId,
        now,
        label,
        value,
        null);
  }

  /** One line, refused when longer than {@link #MAX_LINE_CHARS} (read in bounded pieces). */
  private static String readLine(BufferedReader in, String name, long lineNo) throws IOException {
    StringBuilder out = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        return stripCr(out);
      }
      if (out.length() == MAX_LINE_CHARS) {
        throw bad(name, lineNo, "line is longer than " + MAX_LINE_CHARS + " characters");
      }
      out.append((char) c);
    }
    return out.length() == 0 ? null : stripCr(out);
  }

  private static String stripCr(StringBuilder line) {
    int n = line.length();
    return n > 0 && line.charAt(n - 1) == '\r' ? line.substring(0, n - 1) : line.toString();
  }

  private static CloudException bad(String name, long lineNo, String why) {
    return new CloudException(CloudErrorCode.USAGE, name + ", line " + lineNo + ": " + why);
  }
}
