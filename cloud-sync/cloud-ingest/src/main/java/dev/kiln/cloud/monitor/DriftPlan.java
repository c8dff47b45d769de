package dev.kiln.cloud.monitor;

import dev.kiln.artifact.baseline.Baseline;
import dev.kiln.artifact.baseline.Feature;
import dev.kiln.artifact.baseline.TensorFeatures;
import dev.kiln.link.protocol.capture.CaptureTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The features a check judges, in a fixed order: the baseline's inputs, then the output's value
 * when the output is not a classifier. Maps a capture's tensors onto them with the same reduction
 * the baseline used ({@link TensorFeatures}), found by tensor name and cached per shape.
 */
final class DriftPlan {
  static final String OUTPUT = "output";

  private final List<Feature> features = new ArrayList<>();
  private final Map<String, Integer> index = new HashMap<>();
  private final Map<String, Layout> layouts = new HashMap<>();
  private final int outputValue;

  private record Layout(long[] shape, TensorFeatures features, int[] target, double[] scratch) {}

  DriftPlan(Baseline b) {
    for (Feature f : b.inputs()) {
      index.put(f.name(), features.size());
      features.add(f);
    }
    if (b.output() != null && !b.output().classifier() && b.output().values() != null) {
      outputValue = features.size();
      features.add(b.output().values());
    } else {
      outputValue = -1;
    }
  }

  List<Feature> features() {
    return features;
  }

  String name(int f) {
    return f == outputValue ? OUTPUT : features.get(f).name();
  }

  /** Fills {@code values}/{@code present} from one capture; features it lacks stay absent. */
  void reduce(List<CaptureTensor> inputs, Double outputMax, double[] values, boolean[] present) {
    Arrays.fill(present, false);
    for (CaptureTensor t : inputs) {
      double[] v = t.toDoubles();
      if (v == null) {
        continue;
      }
      Layout l = layout(t);
      if (l.features().reduce(v, l.scratch(), 0)) {
        for (int i = 0; i < l.target().length; i++) {
          if (l.target()[i] >= 0) {
            values[l.target()[i]] = l.scratch()[i];
            present[l.target()[i]] = true;
          }
        }
      }
    }
    if (outputValue >= 0 && outputMax != null) {
      values[outputValue] = outputMax;
      present[outputValue] = true;
    }
  }

  private Layout layout(CaptureTensor t) {
    Layout l = layouts.get(t.name());
    if (l == null || !Arrays.equals(l.shape(), t.shape())) {
      TensorFeatures tf = TensorFeatures.of(t.name(), t.shape());
      int[] target = new int[tf.names().size()];
      for (int i = 0; i < target.length; i++) {
        target[i] = index.getOrDefault(tf.names().get(i), -1);
      }
      l = new Layout(t.shape().clone(), tf, target, new double[target.length]);
      layouts.put(t.name(), l);
    }
    return l;
  }
}
