/**
 * Commands from the fleet console on the device: the verifier that checks signature, addressee,
 * expiry and replay (with its persisted replay window), the dispatcher that calls the agent's
 * handler one command at a time, and the replies. No MQTT client here; replies go out through a
 * publisher interface.
 */
package dev.kiln.link.command;
