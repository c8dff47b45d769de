/**
 * The device side of chunked artifact transfer: asking the console for missing chunks a window at a
 * time, and storing them crash-safely until the whole file's SHA-256 checks out. The chunk records
 * live in {@code dev.kiln.link.protocol.transfer}; the console's side in the fleet module.
 */
package dev.kiln.link.transfer;
