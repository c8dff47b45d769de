package dev.kiln.cloud.monitor;

import dev.kiln.artifact.baseline.Baseline;
import dev.kiln.artifact.baseline.BaselineBuilder;
import dev.kiln.cloud.CloudErrorCode;
import dev.kiln.cloud.CloudException;
import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.link.protocol.capture.CaptureTensor;
import java.util.ArrayList;
import java.util.List;

/** {@code kiln monitor baseline}: a baseline from a period of captured traffic. */
public final class CaptureBaselines {
  private CaptureBaselines() {}

  /** Builds the baseline of the captures in {@code w}; fails when there are none. */
  public static Baseline build(CaptureStore store, CaptureWindow w, long nowMs) {
    BaselineBuilder b = new BaselineBuilder(w.model(), w.version(), "captures");
    CaptureTensor out = CaptureScan.firstOutput(store, w);
    if (out != null) {
      long elements = 1;
      for (long d : out.shape()) {
        elements *= d;
      }
      b.output(out.name(), elements);
    }
    CaptureScan.scan(
        store,
        w,
        true,
        (version, device, top, max, inputs) -> {
          if (!b.hasLayout() && !inputs.isEmpty()) {
            List<String> names = new ArrayList<>();
            List<long[]> shapes = new ArrayList<>();
            for (CaptureTensor t : inputs) {
              names.add(t.name());
              shapes.add(t.shape());
            }
            b.inputs(names, shapes);
          }
          b.add(inputs.isEmpty() ? null : CaptureScan.values(inputs), top, max);
        });
    if (b.records() == 0) {
      throw new CloudException(
          CloudErrorCode.NOT_FOUND,
          "no captures of model "
              + w.model()
              + (w.version() == null ? "" : " version " + w.version())
              + " in the given period; nothing to build a baseline from");
    }
    return b.build(nowMs, w.fromMs(), w.untilMs());
  }
}
