package dev.kiln.artifact;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Unpacks {@code .kiln} archives so that nothing unchecked reaches the disk. Order: the central
 * directory is checked ({@link ArchiveEntries}); manifest.json, SHA256SUMS and manifest.sig are
 * read into memory within small caps; the manifest is validated; every entry must be listed in
 * SHA256SUMS and every listed file present; the declared sizes must match the manifest and fit a
 * total cap and the free disk. Only then is each entry written, and its writing stops the moment it
 * passes its declared size or its bytes stop matching SHA256SUMS.
 *
 * <p>Bytes written for a refused archive never exceed the sizes its central directory declares.
 */
public final class ArtifactArchive {
  static final int MAX_MANIFEST_BYTES = 1 << 20;
  static final int MAX_CHECKSUMS_BYTES = 64 << 10;
  static final int MAX_SIGNATURE_BYTES = 4 << 10;

  /**
   * Room for every file but the payload (sample.json, metadata): the payload's size is declared.
   */
  static final long MAX_OTHER_FILES_BYTES = 256L << 20;

  private ArtifactArchive() {}

  public static void extract(Path archive, Path dest) throws IOException {
    if (!Files.isRegularFile(archive)) {
      throw new ArtifactException(ArtifactErrorCode.NOT_FOUND, "no artifact at " + archive);
    }
    try (ZipFile zip = new ZipFile(archive.toFile())) {
      Map<String, ZipEntry> files = ArchiveEntries.check(archive, zip);
      Map<String, byte[]> metadata = new LinkedHashMap<>();
      byte[] manifestBytes = readSmall(zip, files, ArtifactFormat.MANIFEST, MAX_MANIFEST_BYTES);
      metadata.put(ArtifactFormat.MANIFEST, manifestBytes);
      Manifest manifest = ManifestReader.parse(manifestBytes, archive.toString());
      byte[] sumsBytes = readSmall(zip, files, ArtifactFormat.CHECKSUMS, MAX_CHECKSUMS_BYTES);
      metadata.put(ArtifactFormat.CHECKSUMS, sumsBytes);
      if (files.containsKey(ArtifactFormat.SIGNATURE)) {
        metadata.put(
            ArtifactFormat.SIGNATURE,
            readSmall(zip, files, ArtifactFormat.SIGNATURE, MAX_SIGNATURE_BYTES));
      }
      Map<String, String> sums = Checksums.parse(sumsBytes);
      ExtractionPlan.check(archive.toString(), manifest, sizes(files), sums);
      Files.createDirectories(dest);
      ExtractionPlan.checkSpace(archive.toString(), sizes(files), dest);
      Path root = dest.toAbsolutePath().normalize();
      for (Map.Entry<String, ZipEntry> file : files.entrySet()) {
        String name = file.getKey();
        Path to = root.resolve(name);
        Files.createDirectories(to.getParent());
        byte[] inMemory = metadata.get(name);
        try (InputStream in =
                inMemory != null
                    ? new ByteArrayInputStream(inMemory)
                    : zip.getInputStream(file.getValue());
            OutputStream out = Files.newOutputStream(to, StandardOpenOption.CREATE_NEW)) {
          BoundedCopy.copyChecked(in, out, name, file.getValue().getSize(), sums.get(name));
        }
      }
    } catch (ZipException | EOFException | IllegalArgumentException e) {
      throw corrupt(archive, e);
    }
  }

  private static Map<String, Long> sizes(Map<String, ZipEntry> files) {
    Map<String, Long> sizes = new LinkedHashMap<>();
    files.forEach((name, entry) -> sizes.put(name, entry.getSize()));
    return sizes;
  }

  /** Reads a metadata file into memory, never more than {@code max} bytes. */
  private static byte[] readSmall(ZipFile zip, Map<String, ZipEntry> files, String name, int max)
      throws IOException {
    ZipEntry entry = files.get(name);
    if (entry == null) {
      throw new ArtifactException(
          ArtifactErrorCode.MISSING_FILE,
          zip.getName()
              + " has no "
              + name
              + "; it is not an artifact (build one with kiln compile)");
    }
    if (entry.getSize() > max) {
      throw new ArtifactException(
          ArtifactErrorCode.TOO_LARGE,
          name + " declares " + entry.getSize() + " bytes; at most " + max + " are allowed");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = zip.getInputStream(entry)) {
      BoundedCopy.copy(in, out, name, entry.getSize());
    }
    return out.toByteArray();
  }

  private static ArtifactException corrupt(Path archive, Exception cause) {
    return new ArtifactException(
        ArtifactErrorCode.CORRUPT_ARCHIVE,
        archive
            + " is not a readable .kiln archive (truncated or not an artifact); copy it again"
            + " or rebuild it with kiln compile",
        cause);
  }
}
