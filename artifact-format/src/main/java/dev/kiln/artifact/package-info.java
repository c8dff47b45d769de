/**
 * The {@code .kiln} artifact, format version 1, as compiler, agent and console all see it: the
 * manifest that is the contract between compiler and agent, the verification sample, checksums,
 * Ed25519 signing and trusted keys, and writing, unpacking and verifying an artifact. Also home to
 * {@link dev.kiln.artifact.AtomicFiles}, the all-or-nothing file write other modules reuse.
 */
package dev.kiln.artifact;
