package dev.kiln.artifact;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code SHA256SUMS} file: one {@code <hex> <path>} line per file, sorted by path, in the
 * format {@code sha256sum -c} reads. It covers every file but itself and the signature.
 */
public final class Checksums {
  private Checksums() {}

  public static Map<String, String> compute(Path dir) throws IOException {
    Map<String, String> sums = new TreeMap<>();
    for (String name : ArtifactFiles.list(dir)) {
      if (!name.equals(ArtifactFormat.CHECKSUMS) && !name.equals(ArtifactFormat.SIGNATURE)) {
        sums.put(name, Sha256.of(dir.resolve(name)));
      }
    }
    return sums;
  }

  public static byte[] render(Map<String, String> sums) {
    StringBuilder text = new StringBuilder();
    sums.forEach((name, hex) -> text.append(hex).append("  ").append(name).append('\n'));
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }

  public static Map<String, String> parse(byte[] bytes) {
    Map<String, String> sums = new TreeMap<>();
    for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      int gap = line.indexOf("  ");
      if (gap != 64) {
        throw new ArtifactException(
            ArtifactErrorCode.CORRUPT_ARCHIVE,
            "SHA256SUMS has a malformed line '"
                + line
                + "'; rebuild the artifact with kiln compile");
      }
      sums.put(line.substring(gap + 2), line.substring(0, gap));
    }
    return sums;
  }

  /** Checks every listed file, and that no unlisted file sneaked in beside them. */
  public static void verify(Path dir) throws IOException {
    Path sumsFile = dir.resolve(ArtifactFormat.CHECKSUMS);
    if (!Files.isRegularFile(sumsFile)) {
      throw new ArtifactException(
          ArtifactErrorCode.MISSING_FILE,
          "artifact has no SHA256SUMS; rebuild it with kiln compile");
    }
    Map<String, String> expected = parse(Files.readAllBytes(sumsFile));
    Map<String, String> actual = compute(dir);
    for (Map.Entry<String, String> entry : expected.entrySet()) {
      String got = actual.get(entry.getKey());
      if (got == null) {
        throw new ArtifactException(
            ArtifactErrorCode.MISSING_FILE,
            "artifact lacks " + entry.getKey() + " listed in SHA256SUMS; the copy is incomplete");
      }
      if (!got.equals(entry.getValue())) {
        throw new ArtifactException(
            ArtifactErrorCode.CHECKSUM_MISMATCH,
            "checksum mismatch for "
                + entry.getKey()
                + ": expected "
                + entry.getValue()
                + ", found "
                + got
                + "; the artifact was altered or damaged in transit");
      }
    }
    for (String name : actual.keySet()) {
      if (!expected.containsKey(name)) {
        throw new ArtifactException(
            ArtifactErrorCode.CHECKSUM_MISMATCH,
            "artifact holds " + name + ", which SHA256SUMS does not list; refusing it");
      }
    }
  }
}
