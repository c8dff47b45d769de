package dev.kiln.artifact;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Copies an unpacked artifact directory under the same rules as {@link ArtifactArchive}: the
 * manifest and SHA256SUMS are read first, a folder without them is refused before anything else in
 * it is read, links and special files are refused (never followed), and only listed files are
 * copied, each within the size it had when listed and the cap its manifest allows.
 */
final class ArtifactDirectory {
  private ArtifactDirectory() {}

  static void copy(Path source, Path dest) throws IOException {
    String where = source.toString();
    byte[] manifestBytes =
        readSmall(source, ArtifactFormat.MANIFEST, ArtifactArchive.MAX_MANIFEST_BYTES);
    Manifest manifest = ManifestReader.parse(manifestBytes, where);
    byte[] sumsBytes =
        readSmall(source, ArtifactFormat.CHECKSUMS, ArtifactArchive.MAX_CHECKSUMS_BYTES);
    Map<String, String> sums = Checksums.parse(sumsBytes);
    Map<String, Long> files = list(source);
    ExtractionPlan.check(where, manifest, files, sums);
    Files.createDirectories(dest);
    ExtractionPlan.checkSpace(where, files, dest);
    for (Map.Entry<String, Long> file : files.entrySet()) {
      String name = file.getKey();
      Path to = dest.resolve(name);
      Files.createDirectories(to.getParent());
      try (InputStream in = Files.newInputStream(source.resolve(name), LinkOption.NOFOLLOW_LINKS);
          OutputStream out = Files.newOutputStream(to, StandardOpenOption.CREATE_NEW)) {
        BoundedCopy.copyChecked(in, out, name, file.getValue(), sums.get(name));
      }
    }
  }

  /** The regular files under {@code source} with their sizes; at most MAX_ENTRIES entries. */
  private static Map<String, Long> list(Path source) throws IOException {
    Map<String, Long> files = new TreeMap<>();
    int seen = 0;
    try (Stream<Path> paths = Files.walk(source)) {
      for (Iterator<Path> it = paths.iterator(); it.hasNext(); ) {
        Path path = it.next();
        if (path.equals(source)) {
          continue;
        }
        if (++seen > CentralDirectory.MAX_ENTRIES) {
          throw new ArtifactException(
              ArtifactErrorCode.TOO_LARGE,
              source
                  + " holds more than "
                  + CentralDirectory.MAX_ENTRIES
                  + " entries; it is not an artifact directory");
        }
        String name = source.relativize(path).toString();
        String problem = EntryNames.problem(name);
        if (problem != null) {
          throw new ArtifactException(
              ArtifactErrorCode.UNSAFE_ENTRY,
              source + " refused: " + EntryNames.quote(name) + ": " + problem);
        }
        BasicFileAttributes attributes =
            Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (attributes.isDirectory()) {
          continue;
        }
        if (!attributes.isRegularFile()) {
          throw new ArtifactException(
              ArtifactErrorCode.UNSAFE_ENTRY,
              source
                  + " refused: "
                  + EntryNames.quote(name)
                  + " is "
                  + (attributes.isSymbolicLink() ? "a symbolic link" : "a special file")
                  + "; an artifact holds only regular files");
        }
        files.put(name, attributes.size());
      }
    }
    return files;
  }

  private static byte[] readSmall(Path source, String name, int max) throws IOException {
    Path file = source.resolve(name);
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new ArtifactException(
          ArtifactErrorCode.MISSING_FILE,
          source + " is not an artifact (no " + name + "); build one with kiln compile");
    }
    long size = Files.size(file);
    if (size > max) {
      throw new ArtifactException(
          ArtifactErrorCode.TOO_LARGE,
          name + " in " + source + " is " + size + " bytes; at most " + max + " are allowed");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      BoundedCopy.copy(in, out, name, size);
    }
    return out.toByteArray();
  }
}
