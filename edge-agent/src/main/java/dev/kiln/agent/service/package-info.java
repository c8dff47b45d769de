/**
 * {@code kiln-agent install} and {@code uninstall}: running the agent as a hardened systemd
 * service. A request becomes a plan of steps that {@code --dry-run} prints and tests check without
 * touching the host; the unit file is a template kept in the jar.
 */
package dev.kiln.agent.service;
