package dev.kiln.cloud.ingest;

/**
 * Ingestor counters since start.
 *
 * @param duplicates records already in the store (redeliveries), ignored by de-duplication
 * @param rejected messages that could not be decoded; acknowledged and dropped so one bad message
 *     cannot block a device's stream
 * @param ignored status, heartbeats and capture not believed ({@link
 *     dev.kiln.link.protocol.Provenance}): published by another client than the device, naming
 *     another device, or dated in the future
 */
public record IngestStats(
    long batches,
    long records,
    long inserted,
    long duplicates,
    long heartbeats,
    long statuses,
    long rejected,
    long ignored) {}
