/**
 * The fleet rollout benchmark: a console rolling a version out to N simulated devices over
 * Mosquitto, each fleet size in its own JVM, with the console's, simulator's and broker's memory
 * and CPU read from /proc.
 */
package dev.kiln.bench.fleet;
