/**
 * Benchmarks of the agent: per-request serving overhead against a direct engine call, throughput
 * with and without dynamic batching, and memory and start time against a bare JVM, with the agents,
 * processes and clients they run.
 */
package dev.kiln.bench.agent;
