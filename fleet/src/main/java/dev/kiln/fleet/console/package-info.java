/**
 * The running fleet console: one event thread that tracks devices from their MQTT messages, steps
 * deployments through the rollout engine, persists state, and only then sends the signed commands.
 * The decisions are left to {@code dev.kiln.fleet.rollout} and the files to {@code
 * dev.kiln.fleet.state}.
 */
package dev.kiln.fleet.console;
