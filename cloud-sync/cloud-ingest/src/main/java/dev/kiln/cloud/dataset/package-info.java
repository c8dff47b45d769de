/**
 * Training sets made from the field: captured inputs joined with their ground-truth labels ({@code
 * kiln data export --with-labels}), split into training and validation by request id, written as
 * Parquet and as NumPy {@code .npz} for scripts without a Parquet reader (docs/monitoring.md, "The
 * closed loop").
 */
package dev.kiln.cloud.dataset;
