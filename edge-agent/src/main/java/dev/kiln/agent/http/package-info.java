/**
 * The agent's HTTP API on Jetty's core server: invocation, management and metrics endpoints,
 * request bodies as JSON, CSV or {@code .npy}, the mapping of error codes to HTTP status codes, and
 * the defences against slow or malformed clients (timeouts, limits, JSON errors) and TLS. Requests
 * are served by {@code dev.kiln.agent.serving}; nothing here knows an engine.
 */
package dev.kiln.agent.http;
