/**
 * The console's side of chunked artifact transfer: serves requested chunks of the artifacts it
 * offers, read from disk on demand. The device side is in device-link's {@code
 * dev.kiln.link.transfer}.
 */
package dev.kiln.fleet.transfer;
