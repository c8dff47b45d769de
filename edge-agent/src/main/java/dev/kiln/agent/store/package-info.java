/**
 * The agent's state on disk: verified artifacts, each model's persisted deployment state and
 * version lifecycle, and run-time pipelines, all written so that a crash leaves the previous state
 * whole.
 */
package dev.kiln.agent.store;
