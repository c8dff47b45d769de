/**
 * The http-servers benchmark: the candidates for the agent's HTTP server (the JDK's {@code
 * HttpServer} as the agent configures it, Jetty 12 core, Undertow core, Netty), each in its own JVM
 * with the same two handlers and worker count, driven by keep-alive socket clients from the parent;
 * throughput, latency, the server's CPU and RSS, and whether slow clients can stall it.
 */
package dev.kiln.bench.http;
