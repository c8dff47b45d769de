/**
 * {@code kiln agent bundle}: packing the built agent for one device architecture as a reproducible
 * {@code .tar.gz}, with other platforms' native libraries dropped from its jars.
 */
package dev.kiln.cli.bundle;
