/**
 * The {@code devices} table, kept in step with status and heartbeat messages that may arrive late
 * or twice.
 */
package dev.kiln.cloud.registry;
