package dev.kiln.agent.cloud;

import dev.kiln.agent.runtime.DType;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.agent.serving.ServedInference;
import dev.kiln.link.protocol.capture.CaptureRecord;
import dev.kiln.link.protocol.capture.CaptureTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Converts the agent's served-traffic records into device-link capture records. */
final class CaptureRecords {
  private CaptureRecords() {}

  static CaptureRecord toLink(ServedInference r) {
    return CaptureRecord.of(
            r.model(),
            r.version(),
            r.variant(),
            r.latencyMicros() / 1000.0,
            tensors(r.inputs()),
            tensors(r.outputs()),
            r.shadow())
        .withRequestId(r.requestId())
        .withCustomAttributes(r.customAttributes());
  }

  private static List<CaptureTensor> tensors(Map<String, Tensor> tensors) {
    List<CaptureTensor> out = new ArrayList<>();
    if (tensors == null) {
      return out;
    }
    tensors.forEach(
        (name, t) ->
            out.add(
                t.dtype() == DType.FLOAT32
                    ? CaptureTensor.ofFloats(name, t.shape(), t.floats())
                    : CaptureTensor.ofLongs(name, t.shape(), t.longs())));
    return out;
  }
}
