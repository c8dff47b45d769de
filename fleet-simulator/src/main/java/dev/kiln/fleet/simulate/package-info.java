/**
 * Simulated devices for tests, benchmarks and {@code kiln fleet simulate}: each speaks the wire
 * protocol as an agent does and runs device-link's real command checks, chunk storage and deploy
 * core, but only records the versions it "activates". Many devices share one MQTT connection and
 * one thread pool, so one JVM can simulate thousands.
 */
package dev.kiln.fleet.simulate;
