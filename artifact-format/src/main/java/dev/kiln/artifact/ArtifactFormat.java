package dev.kiln.artifact;

import java.nio.file.attribute.FileTime;
import java.time.Instant;

/** Names and constants of artifact format version 1. */
public final class ArtifactFormat {
  public static final int VERSION = 1;
  public static final String EXTENSION = ".kiln";
  public static final String MANIFEST = "manifest.json";
  public static final String CHECKSUMS = "SHA256SUMS";
  public static final String SIGNATURE = "manifest.sig";
  public static final String SAMPLE = "sample.json";

  /**
   * Every archive entry carries this timestamp so two builds of the same inputs are byte-identical.
   * 1980-01-01 is the earliest time a ZIP entry can hold.
   */
  public static final FileTime FIXED_ENTRY_TIME =
      FileTime.from(Instant.parse("1980-01-01T00:00:00Z"));

  private ArtifactFormat() {}
}
