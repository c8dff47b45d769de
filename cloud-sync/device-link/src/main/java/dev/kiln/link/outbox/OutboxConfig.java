package dev.kiln.link.outbox;

import dev.kiln.link.error.LinkErrorCode;
import dev.kiln.link.error.LinkException;
import java.nio.file.Path;

/**
 * Where the outbox lives and how big it may grow.
 *
 * @param maxBytes bound on all segment files together; past it the oldest segment is deleted, sent
 *     or not, and its unsent records are counted as dropped
 * @param segmentBytes a segment is closed and a new one started past this size; drop-oldest works a
 *     segment at a time, so this is the granularity of loss; at most maxBytes/2
 * @param minFreeDiskBytes appends are dropped (and counted) while the file system has less usable
 *     space than this, so the outbox never fills the disk the agent needs
 * @param encryptionKey 32 bytes: new segments are sealed with AES-256-GCM under it; null keeps them
 *     plain
 */
public record OutboxConfig(
    Path dir, long maxBytes, long segmentBytes, long minFreeDiskBytes, byte[] encryptionKey) {
  public static final long DEFAULT_MAX_BYTES = 256L * 1024 * 1024;
  public static final long DEFAULT_SEGMENT_BYTES = 8L * 1024 * 1024;
  public static final long DEFAULT_MIN_FREE_DISK_BYTES = 64L * 1024 * 1024;

  public OutboxConfig {
    if (dir == null) {
      throw new LinkException(LinkErrorCode.CONFIG_INVALID, "outbox dir must be set");
    }
    if (segmentBytes < 1024 || segmentBytes > maxBytes / 2) {
      throw new LinkException(
          LinkErrorCode.CONFIG_INVALID,
          "outbox segmentBytes must be >= 1024 and <= maxBytes/2, got segmentBytes="
              + segmentBytes
              + " maxBytes="
              + maxBytes);
    }
    if (minFreeDiskBytes < 0) {
      throw new LinkException(LinkErrorCode.CONFIG_INVALID, "outbox minFreeDiskBytes must be >= 0");
    }
    if (encryptionKey != null && encryptionKey.length != 32) {
      throw new LinkException(
          LinkErrorCode.CONFIG_INVALID,
          "outbox encryption key must have 32 bytes, not " + encryptionKey.length);
    }
    encryptionKey = encryptionKey == null ? null : encryptionKey.clone();
  }

  public OutboxConfig(Path dir, long maxBytes, long segmentBytes, long minFreeDiskBytes) {
    this(dir, maxBytes, segmentBytes, minFreeDiskBytes, null);
  }

  @Override
  public byte[] encryptionKey() {
    return encryptionKey == null ? null : encryptionKey.clone();
  }

  public static OutboxConfig defaults(Path dir) {
    return new OutboxConfig(
        dir, DEFAULT_MAX_BYTES, DEFAULT_SEGMENT_BYTES, DEFAULT_MIN_FREE_DISK_BYTES);
  }

  public OutboxConfig withMaxBytes(long max, long segment) {
    return new OutboxConfig(dir, max, segment, minFreeDiskBytes, encryptionKey);
  }

  public OutboxConfig withMinFreeDiskBytes(long bytes) {
    return new OutboxConfig(dir, maxBytes, segmentBytes, bytes, encryptionKey);
  }

  /** The same outbox, sealing new segments with {@code key} (32 bytes; null: plain). */
  public OutboxConfig withEncryptionKey(byte[] key) {
    return new OutboxConfig(dir, maxBytes, segmentBytes, minFreeDiskBytes, key);
  }
}
