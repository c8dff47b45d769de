package dev.kiln.link.outbox;

/**
 * A snapshot of the outbox counters. Drop counters are persisted with the ack offset, so they
 * survive restarts; {@code refusedRecords} (records that failed their CRC or authentication and
 * were skipped) counts since this process started.
 */
public record OutboxStats(
    long pendingRecords,
    long bytes,
    long ackedSeq,
    long lastSeq,
    long droppedOldest,
    long droppedDiskFull,
    long droppedOversize,
    long refusedRecords) {}
