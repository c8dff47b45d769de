/** Benchmarks of the cloud's model monitoring ({@code kiln monitor}). */
package dev.kiln.bench.monitor;
