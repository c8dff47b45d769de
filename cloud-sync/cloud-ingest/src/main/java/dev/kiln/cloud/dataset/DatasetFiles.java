package dev.kiln.cloud.dataset;

import dev.kiln.link.protocol.capture.CaptureTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the files of a labelled export (see {@link LabelledExport}). Parquet goes through an
 * in-memory DuckDB: the capture store may be open read-only, and DuckDB writes Parquet itself. Each
 * file is written beside its final name and moved into place, so a failed export leaves no
 * half-written file under the final name.
 */
final class DatasetFiles {
  static final String PARQUET = "dataset.parquet";
  static final String TRAIN = "train.npz";
  static final String VALIDATION = "validation.npz";
  static final String TRAIN_INPUTS = "train-inputs.npz";

  private DatasetFiles() {}

  static void write(List<LabelledExport.Row> rows, Path dir) throws IOException, SQLException {
    List<LabelledExport.Row> train = new ArrayList<>();
    List<LabelledExport.Row> validation = new ArrayList<>();
    for (LabelledExport.Row r : rows) {
      (r.split().equals(DatasetSplit.TRAIN) ? train : validation).add(r);
    }
    npz(train, dir.resolve(TRAIN), true);
    npz(validation, dir.resolve(VALIDATION), true);
    npz(train, dir.resolve(TRAIN_INPUTS), false);
    parquet(rows, dir.resolve(PARQUET));
  }

  private static void npz(List<LabelledExport.Row> rows, Path file, boolean labels)
      throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (NpzWriter npz = new NpzWriter(tmp)) {
      if (!rows.isEmpty()) {
        List<CaptureTensor> layout = rows.get(0).inputs();
        for (int t = 0; t < layout.size(); t++) {
          long[] shape = layout.get(t).shape();
          long per = 1;
          for (long d : shape) {
            per *= d;
          }
          float[] values = new float[(int) (per * rows.size())];
          for (int r = 0; r < rows.size(); r++) {
            double[] v = rows.get(r).inputs().get(t).toDoubles();
            for (int i = 0; i < v.length; i++) {
              values[(int) (r * per) + i] = (float) v[i];
            }
          }
          long[] full = new long[shape.length + 1];
          full[0] = rows.size();
          System.arraycopy(shape, 0, full, 1, shape.length);
          npz.floats(layout.get(t).name(), full, values);
        }
      }
      if (labels) {
        npz.strings("label", rows.stream().map(LabelledExport.Row::label).toList());
      }
    }
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private static void parquet(List<LabelledExport.Row> rows, Path file)
      throws IOException, SQLException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    List<CaptureTensor> layout = rows.isEmpty() ? List.of() : rows.get(0).inputs();
    StringBuilder columns =
        new StringBuilder(
            "request_id VARCHAR, version VARCHAR, device_id VARCHAR, ts TIMESTAMP,"
                + " split VARCHAR, label VARCHAR");
    StringBuilder marks = new StringBuilder("?, ?, ?, ?, ?, ?");
    for (CaptureTensor t : layout) {
      columns.append(", ").append(quote("input_" + t.name())).append(" FLOAT[]");
      marks.append(", CAST(? AS FLOAT[])");
    }
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE dataset (" + columns + ")");
      try (PreparedStatement ps =
          c.prepareStatement("INSERT INTO dataset VALUES (" + marks + ")")) {
        for (LabelledExport.Row r : rows) {
          ps.setString(1, r.requestId());
          ps.setString(2, r.version());
          ps.setString(3, r.device());
          ps.setTimestamp(4, new Timestamp(r.tsMs()));
          ps.setString(5, r.split());
          ps.setString(6, r.label());
          for (int t = 0; t < layout.size(); t++) {
            ps.setString(7 + t, list(r.inputs().get(t).toDoubles()));
          }
          ps.addBatch();
        }
        ps.executeBatch();
      }
      st.execute(
          "COPY dataset TO '"
              + tmp.toAbsolutePath().toString().replace("'", "''")
              + "'"
              + " (FORMAT parquet)");
    }
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private static String list(double[] values) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < values.length; i++) {
      s.append(i == 0 ? "" : ",").append((float) values[i]);
    }
    return s.append(']').toString();
  }

  private static String quote(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }
}
