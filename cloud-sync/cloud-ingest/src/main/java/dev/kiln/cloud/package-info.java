/**
 * The cloud side of capture as {@code kiln cloud run} starts it (store, ingestor and, when no
 * broker is given, an embedded one), and its exception type and error codes.
 */
package dev.kiln.cloud;
