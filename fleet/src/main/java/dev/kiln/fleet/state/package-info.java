/**
 * What the console remembers: the in-memory device registry, the atomically replaced files that
 * hold devices and deployments across restarts, and the lock that keeps one console per state
 * directory.
 */
package dev.kiln.fleet.state;
