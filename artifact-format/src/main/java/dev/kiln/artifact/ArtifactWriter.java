package dev.kiln.artifact;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.util.Comparator;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Seals a staged artifact directory (manifest, payload, sample) and writes it as a {@code .kiln}
 * archive or a directory. Nothing appears at the destination unless the whole write succeeds.
 */
public final class ArtifactWriter {
  private ArtifactWriter() {}

  /** Adds SHA256SUMS and, when a key is given, manifest.sig to {@code staging}. */
  public static void seal(Path staging, KeyPair signingKey) throws IOException {
    Path manifest = staging.resolve(ArtifactFormat.MANIFEST);
    if (!Files.isRegularFile(manifest)) {
      throw new ArtifactException(ArtifactErrorCode.MISSING_FILE, "staging has no manifest.json");
    }
    Files.deleteIfExists(staging.resolve(ArtifactFormat.SIGNATURE));
    if (signingKey != null) {
      ManifestSignature sig =
          ManifestSignature.sign(
              Files.readAllBytes(manifest), signingKey.getPrivate(), signingKey.getPublic());
      Files.write(staging.resolve(ArtifactFormat.SIGNATURE), Json.toBytes(sig));
    }
    Files.write(
        staging.resolve(ArtifactFormat.CHECKSUMS), Checksums.render(Checksums.compute(staging)));
  }

  /**
   * Writes {@code staging} as a ZIP with sorted entries and fixed timestamps, so the same staged
   * bytes always give the same archive bytes.
   */
  public static void writeArchive(Path staging, Path target, boolean force) throws IOException {
    checkTarget(target, force);
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path temp = Files.createTempFile(dir, "." + target.getFileName(), ".partial");
    try {
      try (OutputStream out = Files.newOutputStream(temp);
          ZipOutputStream zip = new ZipOutputStream(out)) {
        zip.setLevel(9);
        for (String name : ArtifactFiles.list(staging)) {
          ZipEntry entry = new ZipEntry(name);
          entry.setLastModifiedTime(ArtifactFormat.FIXED_ENTRY_TIME);
          zip.putNextEntry(entry);
          Files.copy(staging.resolve(name), zip);
          zip.closeEntry();
        }
      }
      try (var channel =
          java.nio.channels.FileChannel.open(temp, java.nio.file.StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      AtomicFiles.fsyncDirectory(dir);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Moves {@code staging} into place as an unpacked artifact directory. */
  public static void writeDirectory(Path staging, Path target, boolean force) throws IOException {
    checkTarget(target, force);
    Path parent = target.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path temp = Files.createTempDirectory(parent, "." + target.getFileName() + ".partial");
    try {
      for (String name : ArtifactFiles.list(staging)) {
        Path to = temp.resolve(name);
        Files.createDirectories(to.getParent());
        Files.copy(staging.resolve(name), to);
      }
      if (Files.exists(target)) {
        deleteTree(target);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      AtomicFiles.fsyncDirectory(parent);
    } finally {
      if (Files.exists(temp)) {
        deleteTree(temp);
      }
    }
  }

  private static void checkTarget(Path target, boolean force) {
    if (Files.exists(target) && !force) {
      throw new ArtifactException(
          ArtifactErrorCode.OUTPUT_EXISTS,
          target + " already exists; pass --force to replace it or choose another -o");
    }
  }

  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
