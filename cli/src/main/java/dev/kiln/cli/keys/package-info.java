/** {@code kiln keys}: generating the Ed25519 key pairs that sign artifacts. */
package dev.kiln.cli.keys;
