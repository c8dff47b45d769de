package dev.kiln.cloud.monitor;

/**
 * One measure of one feature in one group's window.
 *
 * @param version the group's version; null for the fleet
 * @param device the group's device; null for the fleet and per-version groups
 * @param feature an input feature's name, or {@code output} for the first output
 * @param measure {@code psi}, {@code js}, {@code ks} or {@code class_shift}
 * @param records the group's records in the window
 */
public record Measurement(
    Scope scope,
    String version,
    String device,
    String feature,
    String measure,
    double value,
    double threshold,
    long records,
    boolean violated) {}
