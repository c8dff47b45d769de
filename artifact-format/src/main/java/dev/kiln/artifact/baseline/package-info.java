/**
 * The baseline: what a model's inputs and outputs looked like when it was built (from calibration
 * data at compile time) or in a chosen period of captured traffic. Drift checks compare windows of
 * captured traffic with it. The compiler writes it, the cloud reads it, so it lives with the
 * artifact format (docs/artifact-format.md, "Baseline").
 */
package dev.kiln.artifact.baseline;
