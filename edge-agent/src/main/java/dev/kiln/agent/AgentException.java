package dev.kiln.agent;

/** The agent's one exception type; the message names the problem and what to do about it. */
public class AgentException extends RuntimeException {
  private final AgentErrorCode code;

  public AgentException(AgentErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public AgentException(AgentErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public AgentErrorCode code() {
    return code;
  }
}
