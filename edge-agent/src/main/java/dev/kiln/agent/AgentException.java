package dev.kiln.agent;

import dev.kiln.error.KilnException;

/** The agent's one exception type; the message names the problem and what to do about it. */
public class AgentException extends KilnException {
  public AgentException(AgentErrorCode code, String message) {
    super(code, message);
  }

  public AgentException(AgentErrorCode code, String message, Throwable cause) {
    super(code, message, cause);
  }

  @Override
  public AgentErrorCode code() {
    return (AgentErrorCode) super.code();
  }
}
