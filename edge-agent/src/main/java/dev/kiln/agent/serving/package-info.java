/**
 * Serving requests: loading, health-checking and activating model versions, the memory-bounded
 * registry with LRU eviction, variant routing and shadow traffic, dynamic batching, pipelines,
 * input checks, metrics and the capture hook.
 */
package dev.kiln.agent.serving;
