/**
 * The capture benchmark: delivery rate through the outbox, Mosquitto and the ingestor into DuckDB,
 * and the serving latency capture adds.
 */
package dev.kiln.bench.capture;
