/**
 * Real processes and network faults for tests, benchmarks and the demo: a Mosquitto broker, a
 * PostgreSQL server, child JVMs running {@code kiln-agent}, free loopback ports and a TCP proxy
 * that can cut or throttle a link. Main scope so that a build that skips tests still has them.
 */
package dev.kiln.testkit;
