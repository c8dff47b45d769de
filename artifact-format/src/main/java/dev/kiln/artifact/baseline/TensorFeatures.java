package dev.kiln.artifact.baseline;

import java.util.ArrayList;
import java.util.List;

/**
 * How one tensor of one record becomes scalar features, the same rule at compile time and in the
 * cloud so their baselines compare:
 *
 * <ul>
 *   <li>at most {@link #MAX_FEATURES} elements (a {@code [1, F]} input with F up to 64): one
 *       feature per element, {@code name[i]} over the row-major flattened index;
 *   <li>larger, with an axis of at most {@link #MAX_FEATURES} to call channels (axis 1 for rank 3
 *       and up, as in NCHW images; else the last axis): one feature per channel, the mean of its
 *       values, {@code name:cK};
 *   <li>otherwise one feature, the mean of all values, {@code name:mean}.
 * </ul>
 */
public final class TensorFeatures {
  /** Inputs up to this many elements are tracked per element; also the most channels kept. */
  public static final int MAX_FEATURES = 64;

  public static final String ELEMENT = "element";
  public static final String CHANNEL_MEAN = "channel-mean";
  public static final String MEAN = "mean";

  private final String tensor;
  private final String reduction;
  private final int[] channelOf;
  private final List<String> names;

  private TensorFeatures(String tensor, String reduction, int[] channelOf, List<String> names) {
    this.tensor = tensor;
    this.reduction = reduction;
    this.channelOf = channelOf;
    this.names = List.copyOf(names);
  }

  /** The layout for a tensor of {@code shape} (values in row-major order). */
  public static TensorFeatures of(String tensor, long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= Math.max(d, 0);
    }
    int elements = (int) Math.min(n, Integer.MAX_VALUE);
    List<String> names = new ArrayList<>();
    if (elements <= MAX_FEATURES) {
      int[] idx = new int[elements];
      for (int i = 0; i < elements; i++) {
        idx[i] = i;
        names.add(tensor + "[" + i + "]");
      }
      return new TensorFeatures(tensor, ELEMENT, idx, names);
    }
    int axis = channelAxis(shape);
    if (axis < 0) {
      return new TensorFeatures(tensor, MEAN, new int[elements], List.of(tensor + ":mean"));
    }
    int channels = (int) shape[axis];
    long inner = 1;
    for (int a = axis + 1; a < shape.length; a++) {
      inner *= shape[a];
    }
    int[] idx = new int[elements];
    for (int i = 0; i < elements; i++) {
      idx[i] = (int) ((i / inner) % channels);
    }
    for (int c = 0; c < channels; c++) {
      names.add(tensor + ":c" + c);
    }
    return new TensorFeatures(tensor, CHANNEL_MEAN, idx, names);
  }

  private static int channelAxis(long[] shape) {
    if (shape.length >= 3 && shape[1] > 0 && shape[1] <= MAX_FEATURES) {
      return 1;
    }
    if (shape.length >= 2
        && shape[shape.length - 1] > 0
        && shape[shape.length - 1] <= MAX_FEATURES) {
      return shape.length - 1;
    }
    return -1;
  }

  public String tensor() {
    return tensor;
  }

  public String reduction() {
    return reduction;
  }

  /** Feature names, in the order {@link #reduce} fills them. */
  public List<String> names() {
    return names;
  }

  /**
   * Writes this record's features into {@code out} from {@code offset}; false (nothing written)
   * when {@code values} does not have the layout's element count.
   */
  public boolean reduce(double[] values, double[] out, int offset) {
    if (values == null || values.length != channelOf.length) {
      return false;
    }
    int k = names.size();
    if (reduction.equals(ELEMENT)) {
      System.arraycopy(values, 0, out, offset, k);
      return true;
    }
    double[] sum = new double[k];
    long[] n = new long[k];
    for (int i = 0; i < values.length; i++) {
      sum[channelOf[i]] += values[i];
      n[channelOf[i]]++;
    }
    for (int c = 0; c < k; c++) {
      out[offset + c] = n[c] == 0 ? 0 : sum[c] / n[c];
    }
    return true;
  }
}
