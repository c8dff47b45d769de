package dev.kiln.link.deploy;

import dev.kiln.link.protocol.ReplyCode;

/**
 * Why a {@link DeployTarget} did not put a version in service or roll back. A refusal (the artifact
 * is not for this device, or not trusted) replies REJECTED; anything else replies FAILED. Either
 * way the device keeps what it ran before.
 */
public final class DeployFailure extends Exception {
  private final ReplyCode code;
  private final boolean refused;

  private DeployFailure(ReplyCode code, boolean refused, String message) {
    super(message);
    this.code = code;
    this.refused = refused;
  }

  /** Refused before any change: the reply is REJECTED. */
  public static DeployFailure refused(ReplyCode code, String message) {
    return new DeployFailure(code, true, message);
  }

  /** Tried and failed: the reply is FAILED. */
  public static DeployFailure failed(ReplyCode code, String message) {
    return new DeployFailure(code, false, message);
  }

  public ReplyCode code() {
    return code;
  }

  public boolean refused() {
    return refused;
  }
}
