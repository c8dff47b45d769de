/** Captured inferences on the wire: the record, its tensors, and the gzip NDJSON batch codec. */
package dev.kiln.link.protocol.capture;
