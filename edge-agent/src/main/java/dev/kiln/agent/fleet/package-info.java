/**
 * The agent's side of a fleet rollout: the command handler that runs device-link's deploy core on
 * the agent's model manager, and how the manager's traffic split reads as the console's slots.
 * Command verification stays in device-link; the connection to the cloud in {@code
 * dev.kiln.agent.cloud}.
 */
package dev.kiln.agent.fleet;
