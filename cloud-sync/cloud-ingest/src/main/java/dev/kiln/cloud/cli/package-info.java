/**
 * The {@code kiln cloud} and {@code kiln data} commands: running the cloud side, and querying,
 * summarizing and exporting the captured dataset.
 */
package dev.kiln.cloud.cli;
