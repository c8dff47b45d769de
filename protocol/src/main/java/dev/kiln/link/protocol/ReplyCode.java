package dev.kiln.link.protocol;

import dev.kiln.error.ErrorCode;
import dev.kiln.error.ExitCode;
import java.util.Optional;

/**
 * Why a command was refused or failed: the {@code code} of a REJECTED, EXPIRED or FAILED {@link
 * CommandReply}, sent by its name. The console decides on the code, never on the reply's text,
 * which is for people. Where the agent's HTTP API has the same reason it uses the same name ({@code
 * ARTIFACT_REJECTED}, {@code INCOMPATIBLE_ARTIFACT}, {@code HEALTH_CHECK_FAILED}), so an operator
 * reads one vocabulary whichever way the artifact reached the device.
 */
public enum ReplyCode implements ErrorCode {
  // The device's gate (CommandVerifier): nothing was done.
  MALFORMED,
  UNSIGNED,
  UNTRUSTED_KEY,
  BAD_SIGNATURE,
  WRONG_DEVICE,
  NOT_YET_VALID,
  EXPIRED,
  TOO_LONG_LIVED,
  REPLAYED,

  // The command was genuine but cannot be carried out here: refused before any change.
  /** A command type this device does not handle, or no handler at all. */
  UNKNOWN_COMMAND,
  /** Fields missing or out of range: no model, an unknown slot, an artifact URL. */
  INVALID_COMMAND,
  /** The artifact targets another profile or architecture than this device's. */
  INCOMPATIBLE_ARTIFACT,
  /** The artifact cannot be downloaded here: a bad SHA-256, too large, no room. */
  TRANSFER_REFUSED,
  /** The downloaded artifact failed its signature or hash check. */
  ARTIFACT_REJECTED,
  /** The device is already running a command of this kind (a benchmark); send it again later. */
  BUSY,

  // Tried and failed: the device stays on what it ran before.
  /** The download stalled or timed out. */
  DOWNLOAD_FAILED,
  /** The new version did not pass its health check after loading. */
  HEALTH_CHECK_FAILED,
  /** Any other failure to put the version in service. */
  ACTIVATION_FAILED,
  /** A rollback did not complete. */
  ROLLBACK_FAILED,
  /** The device was still starting and did not take the command; the console re-sends. */
  NOT_READY,
  /** The command handler failed unexpectedly. */
  INTERNAL_ERROR;

  /**
   * A device's refusal or failure is the outcome of a command that itself ran: a launcher that
   * waited for it exits {@link ExitCode#NOT_SUCCEEDED}.
   */
  @Override
  public ExitCode exit() {
    return ExitCode.NOT_SUCCEEDED;
  }

  /** Whether the console may send the same command again later (under a new id and nonce). */
  @Override
  public boolean retryable() {
    return switch (this) {
      case EXPIRED, NOT_YET_VALID, DOWNLOAD_FAILED, NOT_READY, BUSY -> true;
      default -> false;
    };
  }

  /** The code a reply names; empty for none or one this console does not know (a newer device). */
  public static Optional<ReplyCode> of(String name) {
    if (name == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(valueOf(name));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
