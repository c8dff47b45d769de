/**
 * The {@code kiln-agent} command line: {@code run} and {@code batch}, signal handling that drains
 * requests before the JVM shuts down, and the mapping of error codes to exit codes. The service
 * commands ({@code install}, {@code uninstall}) live in {@code dev.kiln.agent.service}.
 */
package dev.kiln.agent.cli;
