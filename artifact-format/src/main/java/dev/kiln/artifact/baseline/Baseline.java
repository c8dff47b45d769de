package dev.kiln.artifact.baseline;

import java.util.List;

/**
 * A baseline document, {@code baseline.json}, format {@link #VERSION}.
 *
 * @param version the format version; a reader refuses a newer one
 * @param model the model it describes
 * @param modelVersion the model version it was built from; null when built from several
 * @param source {@code captures} (from stored traffic) or {@code calibration} (at compile time)
 * @param createdAtMs when it was built, epoch milliseconds
 * @param fromMs start of the traffic it was built from (inclusive), null when unbounded or not
 *     traffic
 * @param untilMs end of that traffic (exclusive), null when unbounded or not traffic
 * @param records how many records (inferences) went into it
 * @param inputs one entry per input feature, in tensor then feature order
 * @param output the first output tensor, which the cloud store summarizes per record
 */
public record Baseline(
    int version,
    String model,
    String modelVersion,
    String source,
    long createdAtMs,
    Long fromMs,
    Long untilMs,
    long records,
    List<Feature> inputs,
    Output output) {
  public static final int VERSION = 1;

  public Baseline {
    inputs = inputs == null ? List.of() : List.copyOf(inputs);
  }

  /** The input feature called {@code name}, or null. */
  public Feature input(String name) {
    for (Feature f : inputs) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    return null;
  }
}
