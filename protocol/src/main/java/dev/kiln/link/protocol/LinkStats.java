package dev.kiln.link.protocol;

/**
 * The device link's own counters, sent in every heartbeat so the cloud sees loss explicitly.
 *
 * @param captureQueueDropped records dropped because the in-memory queue in front of the disk was
 *     full (the disk writer could not keep up)
 * @param outboxDroppedOldest unsent records deleted by the outbox's drop-oldest size bound
 * @param outboxDroppedDiskFull records not stored because the disk was full or failed
 * @param outboxDroppedOversize records not stored because one record was larger than a segment
 */
public record LinkStats(
    long captureSampled,
    long captureQueueDropped,
    long outboxPendingRecords,
    long outboxBytes,
    long outboxDroppedOldest,
    long outboxDroppedDiskFull,
    long outboxDroppedOversize,
    long capturePublishedRecords,
    boolean connected) {}
