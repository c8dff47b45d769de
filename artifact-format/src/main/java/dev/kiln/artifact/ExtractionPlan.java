package dev.kiln.artifact;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What an archive may write, decided from its manifest and SHA256SUMS before anything is written:
 * exactly the listed files, the payload at the size the manifest declares, and in all no more than
 * the payload plus {@link ArtifactArchive#MAX_OTHER_FILES_BYTES}, and no more than the disk has
 * free.
 */
final class ExtractionPlan {
  private ExtractionPlan() {}

  static void check(
      String archive, Manifest manifest, Map<String, Long> files, Map<String, String> sums) {
    for (String listed : sums.keySet()) {
      String problem = EntryNames.problem(listed);
      if (problem != null) {
        throw new ArtifactException(
            ArtifactErrorCode.UNSAFE_ENTRY,
            "SHA256SUMS in " + archive + " lists " + EntryNames.quote(listed) + ": " + problem);
      }
      if (!files.containsKey(listed)) {
        throw new ArtifactException(
            ArtifactErrorCode.MISSING_FILE,
            "artifact lacks " + listed + " listed in SHA256SUMS; the copy is incomplete");
      }
    }
    for (String name : files.keySet()) {
      boolean unlisted =
          !sums.containsKey(name)
              && !name.equals(ArtifactFormat.CHECKSUMS)
              && !name.equals(ArtifactFormat.SIGNATURE);
      if (unlisted) {
        throw new ArtifactException(
            ArtifactErrorCode.CHECKSUM_MISMATCH,
            "artifact holds "
                + EntryNames.quote(name)
                + ", which SHA256SUMS does not list; refusing it");
      }
    }
    String payload = manifest.payload().file();
    requireListed(sums, payload, "payload.file");
    if (manifest.verification() != null && manifest.verification().sampleFile() != null) {
      requireListed(sums, manifest.verification().sampleFile(), "verification.sampleFile");
    }
    long declared = files.get(payload);
    if (declared != manifest.payload().bytes()) {
      throw new ArtifactException(
          declared > manifest.payload().bytes()
              ? ArtifactErrorCode.TOO_LARGE
              : ArtifactErrorCode.CORRUPT_ARCHIVE,
          payload
              + " is "
              + declared
              + " bytes in the archive but manifest.json declares "
              + manifest.payload().bytes());
    }
    long total = total(files);
    long cap = saturatedSum(manifest.payload().bytes(), ArtifactArchive.MAX_OTHER_FILES_BYTES);
    if (total > cap) {
      throw new ArtifactException(
          ArtifactErrorCode.TOO_LARGE,
          archive
              + " would unpack to "
              + total
              + " bytes; its manifest allows "
              + cap
              + " (the payload's "
              + manifest.payload().bytes()
              + " plus "
              + ArtifactArchive.MAX_OTHER_FILES_BYTES
              + " for the other files)");
    }
  }

  /** Refuses an archive that would not fit on the destination's disk, before writing to it. */
  static void checkSpace(String archive, Map<String, Long> files, Path dest) throws IOException {
    long total = total(files);
    long free = Files.getFileStore(dest).getUsableSpace();
    if (total > free) {
      throw new ArtifactException(
          ArtifactErrorCode.TOO_LARGE,
          archive + " would unpack to " + total + " bytes but " + dest + " has " + free + " free");
    }
  }

  private static long total(Map<String, Long> files) {
    long total = 0;
    for (long size : files.values()) {
      total = saturatedSum(total, size);
    }
    return total;
  }

  /** Sizes come from the archive, so a sum must not wrap around into a small number. */
  private static long saturatedSum(long a, long b) {
    long sum = a + b;
    return sum < 0 ? Long.MAX_VALUE : sum;
  }

  private static void requireListed(Map<String, String> sums, String file, String field) {
    if (!sums.containsKey(file)) {
      throw new ArtifactException(
          ArtifactErrorCode.MISSING_FILE,
          "manifest.json names "
              + EntryNames.quote(file)
              + " as "
              + field
              + " but SHA256SUMS does not list it");
    }
  }
}
