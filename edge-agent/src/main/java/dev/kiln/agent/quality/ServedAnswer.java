package dev.kiln.agent.quality;

import dev.kiln.agent.runtime.Tensor;
import java.util.Map;

/**
 * What one version answered, as ground truth is scored against it: the predicted class (the argmax
 * over the last axis of the first output's first row, as text, like the cloud's {@code output_top})
 * and the first value of the first output (the cloud's {@code output_first}).
 *
 * @param predicted null when the first output is too large to be a class score
 * @param firstValue NaN when the first output is empty
 */
record ServedAnswer(String model, String version, String predicted, double firstValue) {

  /** Outputs larger than this are not scored for a label (no argmax over huge tensors). */
  static final int MAX_SCORED_CLASSES = 100_000;

  static ServedAnswer of(String model, String version, Map<String, Tensor> outputs) {
    if (outputs == null || outputs.isEmpty()) {
      return new ServedAnswer(model, version, null, Double.NaN);
    }
    Tensor t = outputs.values().iterator().next();
    double first = t.size() == 0 ? Double.NaN : t.get(0);
    int classes =
        t.shape().length == 0 ? 1 : (int) Math.min(t.shape()[t.shape().length - 1], t.size());
    if (classes < 1 || classes > MAX_SCORED_CLASSES) {
      return new ServedAnswer(model, version, null, first);
    }
    int best = 0;
    for (int i = 1; i < classes; i++) {
      if (t.get(i) > t.get(best)) {
        best = i;
      }
    }
    return new ServedAnswer(model, version, Integer.toString(best), first);
  }
}
