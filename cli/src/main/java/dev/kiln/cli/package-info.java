/**
 * The {@code kiln} entry point: the top-level command that gathers every subcommand, where the
 * checkout is, and the one place errors become exit codes and messages. Subcommands live in
 * packages of their own; {@code cloud}, {@code data} and {@code fleet} come from the cloud-ingest
 * and fleet modules.
 */
package dev.kiln.cli;
