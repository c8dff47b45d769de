package dev.kiln.agent.http;

/**
 * A request body as read: the first {@code length} bytes of {@code buffer}, which may be longer (a
 * kept buffer, see {@link BodyBuffers}). Valid only while its exchange is served.
 */
record RequestBody(byte[] buffer, int length) {}
