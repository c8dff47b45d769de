/**
 * Measuring serving configurations on the machine that will serve: {@link
 * dev.kiln.agent.benchmark.Benchmark} loads installed or local artifacts under each configuration
 * of a grid ({@link dev.kiln.agent.benchmark.DefaultGrid}) through the agent's own serving path and
 * measures latency, throughput and memory under a closed-loop load, within a {@link
 * dev.kiln.agent.benchmark.BenchmarkBudget}. {@code kiln recommend --local} and the fleet's {@code
 * benchmark} command both run it.
 */
package dev.kiln.agent.benchmark;
