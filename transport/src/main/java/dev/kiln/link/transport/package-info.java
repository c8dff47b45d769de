/** MQTT 5 over Paho: the only package that knows Paho; reconnects, TLS and pending publishes. */
package dev.kiln.link.transport;
