/** Aligned plain-text tables for command output that people read in a terminal. */
package dev.kiln.cli.table;
