package dev.kiln.link;

import dev.kiln.error.ErrorCode;
import dev.kiln.error.ExitCode;

/** Why a device-link operation failed; {@link #retryable()} tells callers whether to try again. */
public enum LinkErrorCode implements ErrorCode {
  CONFIG_INVALID(ExitCode.USAGE, false),
  TLS_MATERIAL_INVALID(ExitCode.USAGE, false),
  NOT_CONNECTED(ExitCode.BROKER_UNREACHABLE, true),
  PUBLISH_FAILED(ExitCode.BROKER_UNREACHABLE, true),
  /** The broker accepted a publish but nobody was subscribed (MQTT 5 reason code 0x10). */
  NO_SUBSCRIBERS(ExitCode.BROKER_UNREACHABLE, true),
  /** The broker (or what it announced it supports, e.g. no wildcards) refused a subscription. */
  SUBSCRIBE_REFUSED(ExitCode.BROKER_UNREACHABLE, true),
  OUTBOX_IO(ExitCode.IO_ERROR, true),
  PROTOCOL_INVALID(ExitCode.USAGE, false),
  /** An artifact download got a bad chunk or a file with the wrong SHA-256; it is re-requested. */
  TRANSFER_FAILED(ExitCode.TRANSFER_FAILED, true);

  private final ExitCode exit;
  private final boolean retryable;

  LinkErrorCode(ExitCode exit, boolean retryable) {
    this.exit = exit;
    this.retryable = retryable;
  }

  @Override
  public ExitCode exit() {
    return exit;
  }

  @Override
  public boolean retryable() {
    return retryable;
  }
}
