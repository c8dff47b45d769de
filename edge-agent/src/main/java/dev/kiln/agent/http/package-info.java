/**
 * The agent's HTTP API on the JDK's built-in server: invocation, management and metrics endpoints,
 * request bodies as JSON, CSV or {@code .npy}, and the mapping of error codes to HTTP status codes.
 * Requests are served by {@code dev.kiln.agent.serving}; nothing here knows an engine.
 */
package dev.kiln.agent.http;
