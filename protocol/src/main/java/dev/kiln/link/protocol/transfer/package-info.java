/** The pull-based artifact transfer: a device's chunk request and the chunks it gets back. */
package dev.kiln.link.protocol.transfer;
