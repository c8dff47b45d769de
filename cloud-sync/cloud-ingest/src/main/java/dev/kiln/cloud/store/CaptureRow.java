package dev.kiln.cloud.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.capture.CaptureRecord;
import dev.kiln.link.protocol.capture.CaptureTensor;
import java.util.List;

/**
 * A capture record flattened for the {@code captures} table. {@code outputTop}/{@code outputMax}
 * are the argmax and max of the first output tensor, so output distributions can be queried without
 * decoding tensors in SQL; {@code outputFirst} is its first value, a regression's prediction.
 */
public record CaptureRow(
    CaptureRecord record,
    String inputsJson,
    String outputsJson,
    Integer outputTop,
    Double outputMax,
    Double outputFirst) {

  public static CaptureRow of(CaptureRecord r) {
    Integer top = null;
    Double max = null;
    Double first = null;
    if (!r.outputs().isEmpty()) {
      double[] v = r.outputs().get(0).toDoubles();
      if (v != null && v.length > 0) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
          if (v[i] > v[best]) {
            best = i;
          }
        }
        top = best;
        max = v[best];
        first = v[0];
      }
    }
    return new CaptureRow(r, json(r.inputs()), json(r.outputs()), top, max, first);
  }

  private static String json(List<CaptureTensor> tensors) {
    try {
      return ProtocolJson.mapper().writeValueAsString(tensors);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("tensor list did not serialize", e);
    }
  }
}
