/**
 * The entry point of bench/run, the compile benchmarks (compiled against source latency, the two
 * TorchScript paths), the interleaved timing and percentiles the benchmarks share, and the markdown
 * tables they print. Every figure is a ratio against a baseline measured in the same process.
 */
package dev.kiln.bench;
