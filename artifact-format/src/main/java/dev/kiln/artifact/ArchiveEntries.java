package dev.kiln.artifact;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Checks every entry of an archive's central directory before anything is read from it: names that
 * stay inside the artifact ({@link EntryNames}), only regular files (directory entries are skipped,
 * symlinks and special files refused), no name twice (also not in another case, which is the same
 * file on macOS and Windows), no file that another entry needs as a directory.
 */
final class ArchiveEntries {
  private ArchiveEntries() {}

  /** The archive's regular files by name, sorted; throws UNSAFE_ENTRY naming the problem. */
  static Map<String, ZipEntry> check(Path archive, ZipFile zip) throws IOException {
    List<CentralDirectory.Record> records = CentralDirectory.read(archive);
    if (records.size() != zip.size()) {
      throw unsafe(archive, "its central directory does not match what ZipFile reads");
    }
    Map<String, String> seen = new HashMap<>();
    Map<String, ZipEntry> files = new TreeMap<>();
    for (CentralDirectory.Record record : records) {
      String name = record.name();
      String bare =
          record.isDirectory() && name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
      String problem = EntryNames.problem(bare);
      if (problem != null) {
        throw unsafe(archive, "entry " + EntryNames.quote(name) + ": " + problem);
      }
      String previous = seen.put(bare.toLowerCase(Locale.ROOT), name);
      if (previous != null) {
        throw unsafe(
            archive,
            "entry "
                + EntryNames.quote(name)
                + " duplicates "
                + EntryNames.quote(previous)
                + " (names must be unique, ignoring case)");
      }
      if (record.isDirectory()) {
        continue;
      }
      if (!record.isRegularFile()) {
        throw unsafe(
            archive,
            "entry "
                + EntryNames.quote(name)
                + " is a "
                + record.type()
                + "; an artifact holds only regular files");
      }
      ZipEntry entry = zip.getEntry(name);
      if (entry == null || entry.isDirectory() || entry.getSize() < 0) {
        throw unsafe(archive, "entry " + EntryNames.quote(name) + " has no readable size");
      }
      files.put(name, entry);
    }
    for (String name : files.keySet()) {
      for (int slash = name.indexOf('/'); slash > 0; slash = name.indexOf('/', slash + 1)) {
        String parent = name.substring(0, slash);
        if (files.containsKey(parent)) {
          throw unsafe(
              archive,
              "entry "
                  + EntryNames.quote(name)
                  + " lies under "
                  + EntryNames.quote(parent)
                  + ", which is a file");
        }
      }
    }
    return files;
  }

  private static ArtifactException unsafe(Path archive, String problem) {
    return new ArtifactException(ArtifactErrorCode.UNSAFE_ENTRY, archive + " refused: " + problem);
  }
}
