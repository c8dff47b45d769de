/**
 * Ground truth and field quality: the {@code feedback} table (from devices and from label imports)
 * and the accuracy, precision, recall, MAE and RMSE of each version and device, computed in DuckDB
 * by joining feedback to captures on the request id (docs/monitoring.md, "Ground truth and field
 * quality").
 */
package dev.kiln.cloud.quality;
