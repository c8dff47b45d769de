package dev.kiln.cli.bundle;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.nio.file.Path;
import java.util.List;

/**
 * What went into a bundle, for the table {@code kiln agent bundle} prints and for {@code --json}.
 *
 * @param bundle the .tar.gz written
 * @param bundleBytes its size on disk (compressed)
 * @param contentBytes the sum of the entries' sizes (uncompressed)
 */
public record BundleReport(
    @JsonSerialize(using = ToStringSerializer.class) Path bundle,
    String version,
    String arch,
    long bundleBytes,
    long contentBytes,
    List<Entry> entries) {

  /**
   * @param path path inside the bundle
   * @param bytes size inside the bundle
   * @param sha256 hex digest, also listed in the bundle's BUNDLE.json
   * @param note why the entry differs from the build output (slimmed, added), or null
   */
  public record Entry(String path, long bytes, String sha256, String note) {}
}
