package dev.kiln.artifact.baseline;

import java.util.Map;
import java.util.TreeMap;

/**
 * The first output. A classifier's ({@code kind = classes}: more than one value per record) is its
 * distribution of predicted classes, the index of the largest value; any other ({@code kind =
 * values}) is the histogram of its one value, as a {@link Feature}.
 *
 * @param classes records per predicted class index (as a string key, for JSON); null for values
 * @param values the value's feature; null for classes
 */
public record Output(String name, String kind, Map<String, Long> classes, Feature values) {
  public static final String CLASSES = "classes";
  public static final String VALUES = "values";

  public Output {
    classes = classes == null ? null : new TreeMap<>(classes);
  }

  public boolean classifier() {
    return CLASSES.equals(kind);
  }
}
