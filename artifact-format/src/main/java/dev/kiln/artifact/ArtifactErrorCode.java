package dev.kiln.artifact;

/** Why an artifact was refused. Each code has one meaning across compiler, agent and console. */
public enum ArtifactErrorCode {
  NOT_FOUND,
  CORRUPT_ARCHIVE,
  UNSAFE_ENTRY,
  MISSING_FILE,
  CHECKSUM_MISMATCH,
  UNSUPPORTED_FORMAT_VERSION,
  INVALID_MANIFEST,
  UNSIGNED,
  SIGNATURE_INVALID,
  UNTRUSTED_KEY,
  BAD_KEY,
  OUTPUT_EXISTS,
  IO_ERROR
}
