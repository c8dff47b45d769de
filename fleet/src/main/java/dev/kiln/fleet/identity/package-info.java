/**
 * The fleet's identities: a fleet CA kept in the console's state directory, and the certificates it
 * issues to devices, the console, the ingestor and the broker (mutual TLS), with the Mosquitto
 * configuration that enforces {@link dev.kiln.link.protocol.TopicAcl}. The only package that knows
 * BouncyCastle.
 */
package dev.kiln.fleet.identity;
