package dev.kiln.cloud.dataset;

import com.fasterxml.jackson.databind.ObjectReader;
import dev.kiln.cloud.CloudErrorCode;
import dev.kiln.cloud.CloudException;
import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.cloud.store.Dialect;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.capture.CaptureTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code kiln data export --with-labels}: a model's served captures joined with each request's
 * latest label, in capture order (time, then id), written to a folder:
 *
 * <ul>
 *   <li>{@code dataset.parquet}: one row per labelled capture: request id, version, device, time,
 *       {@code split}, {@code label}, and one {@code FLOAT[]} column per input tensor (its values,
 *       row-major);
 *   <li>{@code train.npz}, {@code validation.npz}: per input a float32 array {@code [N, *shape]}
 *       (the capture's own shape, batch dim included) and {@code label}, for scripts without a
 *       Parquet reader (the Debian python has torch and numpy, not pyarrow);
 *   <li>{@code train-inputs.npz}: the training inputs alone, ready for {@code kiln compile
 *       --calibration-data}, which takes only arrays named after the model's inputs.
 * </ul>
 *
 * <p>Shadow captures are left out (they repeat a served request's inputs), and so are captures
 * whose inputs were not kept (truncated, or captured in {@code outputs} mode); each kind is
 * counted, and so are captures without a label. The set is held in memory while it is written: it
 * is meant for the thousands to hundreds of thousands of records a fine-tune takes, not for a whole
 * store.
 */
public final class LabelledExport {
  private static final ObjectReader TENSORS =
      ProtocolJson.mapper().readerFor(CaptureTensor[].class);

  private static final String ROWS =
      """
      WITH latest AS (
        SELECT request_id, %1$s AS label FROM feedback
        WHERE label IS NOT NULL GROUP BY request_id)
      SELECT c.request_id, c.version, c.device_id, %2$s AS ts_ms, c.inputs, l.label,
             coalesce(c.truncated, false) AS truncated
      FROM captures c LEFT JOIN latest l USING (request_id)
      WHERE c.model = ? AND NOT coalesce(c.shadow, false)
        AND (CAST(? AS VARCHAR) IS NULL OR c.version = ?)
        AND (CAST(? AS BIGINT) IS NULL OR c.ts >= epoch_ms(?))
      ORDER BY c.ts, c.id""";

  /** One labelled record. */
  record Row(
      String requestId,
      String version,
      String device,
      long tsMs,
      String split,
      String label,
      List<CaptureTensor> inputs) {}

  /**
   * What an export wrote and left out.
   *
   * @param train labelled records in the training part
   * @param validation labelled records in the validation part
   * @param unlabelled served captures (with inputs) that have no label, or no request id to carry
   *     one
   * @param withoutInputs labelled captures whose inputs were not kept (truncated or outputs mode)
   * @param inputs the input tensors' names, in column order
   */
  public record Summary(
      String model,
      String version,
      Long sinceMs,
      Path dir,
      long train,
      long validation,
      long unlabelled,
      long withoutInputs,
      List<String> inputs,
      int trainPercent) {}

  private final CaptureStore store;

  public LabelledExport(CaptureStore store) {
    this.store = store;
  }

  /**
   * @param version null for every version
   * @param sinceMs null for all time
   */
  public Summary export(String model, String version, Long sinceMs, Path dir) {
    List<Row> rows = new ArrayList<>();
    long[] unlabelled = {0};
    long[] withoutInputs = {0};
    store.read(
        c -> {
          Dialect d = store.dialect();
          String sql = ROWS.formatted(d.latest("label", "ts"), d.epochMs("c.ts"));
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, model);
            ps.setString(2, version);
            ps.setString(3, version);
            ps.setObject(4, sinceMs);
            ps.setObject(5, sinceMs);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                List<CaptureTensor> inputs = tensors(rs.getString("inputs"));
                boolean kept = !rs.getBoolean("truncated") && !inputs.isEmpty();
                String label = rs.getString("label");
                if (!kept) {
                  withoutInputs[0] += label == null ? 0 : 1;
                } else if (label == null) {
                  unlabelled[0]++;
                } else {
                  String id = rs.getString("request_id");
                  rows.add(
                      new Row(
                          id,
                          rs.getString("version"),
                          rs.getString("device_id"),
                          rs.getLong("ts_ms"),
                          DatasetSplit.of(id),
                          label,
                          inputs));
                }
              }
            }
          }
          return null;
        });
    List<Row> usable = sameLayout(rows);
    try {
      Files.createDirectories(dir);
      DatasetFiles.write(usable, dir);
    } catch (IOException | java.sql.SQLException e) {
      throw new CloudException(
          CloudErrorCode.EXPORT_FAILED, "export to " + dir + " failed: " + e.getMessage(), e);
    }
    long train = usable.stream().filter(r -> r.split().equals(DatasetSplit.TRAIN)).count();
    return new Summary(
        model,
        version,
        sinceMs,
        dir,
        train,
        usable.size() - train,
        unlabelled[0],
        withoutInputs[0] + rows.size() - usable.size(),
        usable.isEmpty()
            ? List.of()
            : usable.get(0).inputs().stream().map(CaptureTensor::name).toList(),
        DatasetSplit.TRAIN_PERCENT);
  }

  /**
   * The rows whose tensors have the first row's names and shapes: arrays need one layout, and a
   * model's requests normally have it. Others are counted with the records without inputs.
   */
  private static List<Row> sameLayout(List<Row> rows) {
    if (rows.isEmpty()) {
      return rows;
    }
    List<CaptureTensor> first = rows.get(0).inputs();
    List<Row> out = new ArrayList<>();
    for (Row r : rows) {
      if (r.inputs().size() != first.size()) {
        continue;
      }
      boolean same = true;
      for (int i = 0; i < first.size() && same; i++) {
        same =
            r.inputs().get(i).name().equals(first.get(i).name())
                && java.util.Arrays.equals(r.inputs().get(i).shape(), first.get(i).shape());
      }
      if (same) {
        out.add(r);
      }
    }
    return out;
  }

  private static List<CaptureTensor> tensors(String json) {
    if (json == null) {
      return List.of();
    }
    try {
      CaptureTensor[] t = TENSORS.readValue(json);
      return t == null ? List.of() : List.of(t);
    } catch (IOException e) {
      return List.of();
    }
  }
}
