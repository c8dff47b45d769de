/**
 * The ingestor: subscribes to capture, status and heartbeat messages and writes them to the store,
 * acknowledging a message only once its transaction has committed.
 */
package dev.kiln.cloud.ingest;
