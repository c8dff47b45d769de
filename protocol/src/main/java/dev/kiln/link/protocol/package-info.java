/**
 * The v1 wire between devices and the cloud (docs/protocol.md): topics and their one parser, the
 * message records, slots, reply codes and message properties. No MQTT client here.
 */
package dev.kiln.link.protocol;
