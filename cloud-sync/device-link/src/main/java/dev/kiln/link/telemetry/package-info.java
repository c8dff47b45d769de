/**
 * Heartbeats: what the agent reports in each one, and the task that builds one with the link's
 * counters and appends it to the telemetry outbox, so heartbeats written offline arrive later.
 */
package dev.kiln.link.telemetry;
