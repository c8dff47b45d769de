package dev.kiln.link.error;

import dev.kiln.error.ErrorCode;
import dev.kiln.error.ExitCode;

/** Why a device-link operation failed; {@link #retryable()} tells callers whether to try again. */
public enum LinkErrorCode implements ErrorCode {
  CONFIG_INVALID,
  TLS_MATERIAL_INVALID,
  NOT_CONNECTED,
  PUBLISH_FAILED,
  /** The broker accepted a publish but nobody was subscribed (MQTT 5 reason code 0x10). */
  NO_SUBSCRIBERS,
  /** The broker (or what it announced it supports, e.g. no wildcards) refused a subscription. */
  SUBSCRIBE_REFUSED,
  OUTBOX_IO,
  PROTOCOL_INVALID,
  /** An artifact download got a bad chunk or a file with the wrong SHA-256; it is re-requested. */
  TRANSFER_FAILED;

  @Override
  public ExitCode exit() {
    return switch (this) {
      case CONFIG_INVALID, TLS_MATERIAL_INVALID, PROTOCOL_INVALID -> ExitCode.USAGE;
      case NOT_CONNECTED, PUBLISH_FAILED, NO_SUBSCRIBERS, SUBSCRIBE_REFUSED ->
          ExitCode.BROKER_UNREACHABLE;
      case OUTBOX_IO -> ExitCode.IO_ERROR;
      case TRANSFER_FAILED -> ExitCode.TRANSFER_FAILED;
    };
  }

  /** Configuration and malformed messages stay wrong; everything else may pass on a retry. */
  @Override
  public boolean retryable() {
    return switch (this) {
      case CONFIG_INVALID, TLS_MATERIAL_INVALID, PROTOCOL_INVALID -> false;
      default -> true;
    };
  }
}
