/**
 * The durable, bounded on-disk queue behind capture and heartbeats: segment files with an
 * acknowledged offset for at-least-once delivery, the writer that fills it without blocking its
 * callers, and the publisher that drains it in batches through a sink it does not own.
 */
package dev.kiln.link.outbox;
