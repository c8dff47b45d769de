package dev.kiln.link.capture;

/** When a captured record is on disk relative to the answer its inference gives. */
public enum CaptureDurability {
  /**
   * The caller queues the record and goes on; the record is fsynced within one write group (a few
   * milliseconds) afterwards. A crash in that window loses records whose answers went out.
   */
  ASYNC,
  /**
   * The caller waits until the record is fsynced (group commit with concurrent callers), so an
   * answer sent after it never outlives its record.
   */
  SYNC
}
