package dev.kiln.agent;

/**
 * The agent's release, as it reports it: to the cloud (birth, heartbeats) and to Open Inference
 * Protocol clients ({@code GET /v2}). Kept apart from both so neither layer reaches into the other
 * for it.
 */
public final class AgentVersion {
  public static final String CURRENT = "0.1.0";

  private AgentVersion() {}
}
