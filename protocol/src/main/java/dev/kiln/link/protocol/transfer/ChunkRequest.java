package dev.kiln.link.protocol.transfer;

/**
 * A device asks for {@code count} chunks starting at {@code from}, on {@link
 * dev.kiln.link.protocol.Topics#artifactGet} with its {@link
 * dev.kiln.link.protocol.Topics#artifactChunks} topic as the response topic (docs/protocol.md).
 * Pull, not push: after a disconnect the device simply asks again for what it lacks.
 */
public record ChunkRequest(int schema, String sha256, int from, int count) {}
