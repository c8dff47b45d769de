/**
 * The device side of the link to the cloud: {@link dev.kiln.link.DeviceLink} opens one MQTT
 * connection and runs status, heartbeats, capture, signed commands and artifact downloads over it.
 * Only this package touches the transport module (the one place Paho lives); the wire records come
 * from the protocol module, and the subpackages publish through small interfaces, which lets the
 * fleet simulator reuse them on its own connections.
 */
package dev.kiln.link;
