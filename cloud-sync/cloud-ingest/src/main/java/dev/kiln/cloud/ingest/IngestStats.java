package dev.kiln.cloud.ingest;

/**
 * Ingestor counters since start.
 *
 * @param duplicates records already in the store (redeliveries), ignored by de-duplication
 * @param rejected messages that could not be decoded; acknowledged and dropped so one bad message
 *     cannot block a device's stream
 */
public record IngestStats(
    long batches,
    long records,
    long inserted,
    long duplicates,
    long heartbeats,
    long statuses,
    long rejected) {}
