/**
 * {@code kiln fleet} and its subcommands (devices, deploy, status, rollback, cancel, serve), their
 * shared options, table and JSON output, and exit codes. The {@code kiln} CLI module registers it
 * and adds the commands that need modules the console does not depend on.
 */
package dev.kiln.fleet.cli;
