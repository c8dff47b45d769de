/**
 * Where library log lines go: a log file for commands that tell their own story (demo, cloud run,
 * fleet), the console with {@code --verbose}. The one place in the CLI that knows logback.
 */
package dev.kiln.cli.logging;
