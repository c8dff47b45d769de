/**
 * {@code kiln loop}: the closed loop on embedded defaults, in one process: serve version 1, drift,
 * detect, label, export, retrain, compile version 2 with a baseline, shadow it, promote it on field
 * accuracy, and show the drift gone (docs/monitoring.md, "The closed loop").
 */
package dev.kiln.cli.loop;
