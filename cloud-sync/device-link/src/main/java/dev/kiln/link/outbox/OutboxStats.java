package dev.kiln.link.outbox;

/**
 * A snapshot of the outbox counters. Drop counters are persisted with the ack offset, so they
 * survive restarts.
 */
public record OutboxStats(
    long pendingRecords,
    long bytes,
    long ackedSeq,
    long lastSeq,
    long droppedOldest,
    long droppedDiskFull,
    long droppedOversize) {}
