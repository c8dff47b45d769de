/**
 * Capture on the inference path: per-deployment sampling settings and the non-blocking recorder
 * that hands sampled records to the outbox writer. The disk queue and the sending are left to
 * {@code dev.kiln.link.outbox} and {@code dev.kiln.link}.
 */
package dev.kiln.link.capture;
