package dev.kiln.artifact.baseline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds a {@link Baseline} from records fed one at a time, in memory bounded by the number of
 * features (not records): see {@link FeatureAccumulator}. The first record fixes the feature layout
 * (from its tensors' names and shapes); a later record whose tensors do not fit it is counted as
 * skipped.
 */
public final class BaselineBuilder {
  private final String model;
  private final String modelVersion;
  private final String source;
  private final List<TensorFeatures> layouts = new ArrayList<>();
  private final Map<String, FeatureAccumulator> inputs = new LinkedHashMap<>();
  private final Map<String, Long> classes = new TreeMap<>();
  private FeatureAccumulator outputValues;
  private String outputName;
  private String outputKind;
  private double[] scratch;
  private long records;
  private long skipped;

  public BaselineBuilder(String model, String modelVersion, String source) {
    this.model = model;
    this.modelVersion = modelVersion;
    this.source = source;
  }

  /** Fixes the input layout: tensor names and shapes, in order. */
  public void inputs(List<String> names, List<long[]> shapes) {
    if (!layouts.isEmpty()) {
      return;
    }
    int total = 0;
    for (int t = 0; t < names.size(); t++) {
      TensorFeatures f = TensorFeatures.of(names.get(t), shapes.get(t));
      layouts.add(f);
      for (String n : f.names()) {
        inputs.put(n, new FeatureAccumulator(n.hashCode()));
      }
      total += f.names().size();
    }
    scratch = new double[total];
  }

  /** Fixes the output: {@code elements} values per record; more than one makes it a classifier. */
  public void output(String name, long elements) {
    if (outputKind == null) {
      outputName = name;
      outputKind = elements > 1 ? Output.CLASSES : Output.VALUES;
      if (elements <= 1) {
        outputValues = new FeatureAccumulator(name.hashCode());
      }
    }
  }

  public boolean hasLayout() {
    return !layouts.isEmpty();
  }

  /**
   * Adds one record: its input tensors' values (in layout order; null when not captured), and its
   * first output's top class and top value (null when not captured).
   */
  public void add(List<double[]> inputValues, Integer topClass, Double topValue) {
    records++;
    if (inputValues != null && !layouts.isEmpty()) {
      if (reduce(layouts, inputValues, scratch)) {
        int i = 0;
        for (FeatureAccumulator a : inputs.values()) {
          a.add(scratch[i++]);
        }
      } else {
        skipped++;
      }
    }
    if (Output.CLASSES.equals(outputKind) && topClass != null) {
      classes.merge(String.valueOf(topClass), 1L, Long::sum);
    } else if (outputValues != null && topValue != null) {
      outputValues.add(topValue);
    }
  }

  /** Reduces a record's tensors into {@code out}; false when one does not fit its layout. */
  public static boolean reduce(List<TensorFeatures> layouts, List<double[]> values, double[] out) {
    if (values.size() < layouts.size()) {
      return false;
    }
    int offset = 0;
    for (int t = 0; t < layouts.size(); t++) {
      if (!layouts.get(t).reduce(values.get(t), out, offset)) {
        return false;
      }
      offset += layouts.get(t).names().size();
    }
    return true;
  }

  public List<TensorFeatures> layouts() {
    return List.copyOf(layouts);
  }

  public long records() {
    return records;
  }

  /** Records whose inputs did not match the first record's layout. */
  public long skipped() {
    return skipped;
  }

  public Baseline build(long createdAtMs, Long fromMs, Long untilMs) {
    List<Feature> features = new ArrayList<>();
    for (TensorFeatures layout : layouts) {
      for (String n : layout.names()) {
        features.add(feature(n, layout.tensor(), layout.reduction(), inputs.get(n)));
      }
    }
    Output out = null;
    if (outputKind != null) {
      out =
          outputValues == null
              ? new Output(outputName, Output.CLASSES, classes, null)
              : new Output(
                  outputName,
                  Output.VALUES,
                  null,
                  feature(outputName, outputName, TensorFeatures.ELEMENT, outputValues));
    }
    return new Baseline(
        Baseline.VERSION,
        model,
        modelVersion,
        source,
        createdAtMs,
        fromMs,
        untilMs,
        records,
        features,
        out);
  }

  private static Feature feature(
      String name, String tensor, String reduction, FeatureAccumulator a) {
    return new Feature(
        name,
        tensor,
        reduction,
        a.summary(),
        a.histogram(FeatureAccumulator.BINS),
        a.histogram(FeatureAccumulator.CDF_BINS));
  }
}
