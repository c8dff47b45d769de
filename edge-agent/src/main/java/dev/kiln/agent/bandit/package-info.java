/**
 * Bandit routing among a model's production variants (docs/agent.md, "Bandit routing"): Thompson
 * sampling over Beta posteriors with an exploration floor, rewards from {@code POST /feedback} or
 * from each request's latency, and the learned state persisted in the state folder.
 */
package dev.kiln.agent.bandit;
