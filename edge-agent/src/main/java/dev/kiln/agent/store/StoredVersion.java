package dev.kiln.agent.store;

import dev.kiln.artifact.Artifact;

/** A verified artifact in the store, ready to load. */
public record StoredVersion(String name, String version, Artifact artifact, String signedBy) {}
