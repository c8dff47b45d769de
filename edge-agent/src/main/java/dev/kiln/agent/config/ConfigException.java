package dev.kiln.agent.config;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;

/** A configuration key is missing, of the wrong type or out of range; the message names it. */
public final class ConfigException extends AgentException {
  public ConfigException(String key, String problem) {
    super(AgentErrorCode.INVALID_CONFIG, "config key '" + key + "': " + problem);
  }
}
