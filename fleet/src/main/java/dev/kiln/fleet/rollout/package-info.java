/**
 * Deployments and the rules that drive them: the state machine, strategies, target selection,
 * health gates, and the engine that turns events and time into {@link
 * dev.kiln.fleet.rollout.Action}s. Pure logic with no MQTT and no files, so it is tested without a
 * broker.
 */
package dev.kiln.fleet.rollout;
