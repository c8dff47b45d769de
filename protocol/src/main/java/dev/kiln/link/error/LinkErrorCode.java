package dev.kiln.link.error;

/** Why a device-link operation failed; {@link #retryable()} tells callers whether to try again. */
public enum LinkErrorCode {
  CONFIG_INVALID(false),
  TLS_MATERIAL_INVALID(false),
  NOT_CONNECTED(true),
  PUBLISH_FAILED(true),
  /** The broker accepted a publish but nobody was subscribed (MQTT 5 reason code 0x10). */
  NO_SUBSCRIBERS(true),
  /** The broker (or what it announced it supports, e.g. no wildcards) refused a subscription. */
  SUBSCRIBE_REFUSED(true),
  OUTBOX_IO(true),
  PROTOCOL_INVALID(false),
  /** An artifact download got a bad chunk or a file with the wrong SHA-256; it is re-requested. */
  TRANSFER_FAILED(true);

  private final boolean retryable;

  LinkErrorCode(boolean retryable) {
    this.retryable = retryable;
  }

  public boolean retryable() {
    return retryable;
  }
}
