package dev.kiln.artifact;

import dev.kiln.json.RecordReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Map;

/**
 * An unpacked artifact directory. {@link #open} reads the manifest; {@link #verify} proves the
 * files are the ones the compiler wrote and, with trusted keys, who wrote them. Load nothing from
 * an artifact before {@code verify} returns.
 */
public final class Artifact {
  private final Path dir;
  private final Manifest manifest;

  private Artifact(Path dir, Manifest manifest) {
    this.dir = dir;
    this.manifest = manifest;
  }

  /** Opens an unpacked artifact directory. For a {@code .kiln} file, use {@link #unpack} first. */
  public static Artifact open(Path dir) throws IOException {
    Path manifestFile = dir.resolve(ArtifactFormat.MANIFEST);
    if (!Files.isRegularFile(manifestFile)) {
      throw new ArtifactException(
          ArtifactErrorCode.MISSING_FILE,
          dir + " is not an artifact (no manifest.json); build one with kiln compile");
    }
    Manifest manifest = ManifestReader.parse(Files.readAllBytes(manifestFile), dir.toString());
    return new Artifact(dir, manifest);
  }

  /** Unpacks a {@code .kiln} archive into {@code dest} (which should be new) and opens it. */
  public static Artifact unpack(Path archive, Path dest) throws IOException {
    ArtifactArchive.extract(archive, dest);
    return open(dest);
  }

  /**
   * Copies an artifact directory into {@code dest} (which should be new), checked as {@link
   * #unpack} checks an archive, and opens the copy. Use it where the directory came from someone
   * else: {@link #open} reads a directory in place.
   */
  public static Artifact copy(Path source, Path dest) throws IOException {
    ArtifactDirectory.copy(source, dest);
    return open(dest);
  }

  /** Opens a directory as is, or unpacks an archive into {@code scratch}. */
  public static Artifact openAny(Path path, Path scratch) throws IOException {
    return Files.isDirectory(path) ? open(path) : unpack(path, scratch);
  }

  /**
   * Verifies checksums, the payload and sample pins in the manifest, and the signature.
   *
   * @param trustedKeys keys by {@link Ed25519Keys#keyId}; empty means "no keys configured"
   * @param requireSignature refuse unsigned artifacts
   * @return the id of the key that signed the artifact, or null if it is unsigned and allowed
   */
  public String verify(Map<String, PublicKey> trustedKeys, boolean requireSignature)
      throws IOException {
    Checksums.verify(dir);
    pin(manifest.payload().file(), manifest.payload().sha256());
    if (manifest.verification() != null && manifest.verification().sampleFile() != null) {
      pin(manifest.verification().sampleFile(), manifest.verification().sampleSha256());
    }
    boolean signed = Files.isRegularFile(dir.resolve(ArtifactFormat.SIGNATURE));
    if (!signed && !requireSignature) {
      return null;
    }
    return ManifestSignature.verify(dir, trustedKeys);
  }

  private void pin(String file, String sha256) throws IOException {
    Path path = dir.resolve(file);
    if (!Files.isRegularFile(path)) {
      throw new ArtifactException(
          ArtifactErrorCode.MISSING_FILE, "artifact lacks " + file + " named by its manifest");
    }
    if (sha256 != null && !sha256.equals(Sha256.of(path))) {
      throw new ArtifactException(
          ArtifactErrorCode.CHECKSUM_MISMATCH,
          file + " does not match the SHA-256 pinned in manifest.json; the artifact was altered");
    }
  }

  public VerificationSample sample() throws IOException {
    if (manifest.verification() == null || manifest.verification().sampleFile() == null) {
      return null;
    }
    return RecordReader.read(
        Files.readAllBytes(dir.resolve(manifest.verification().sampleFile())),
        VerificationSample.class,
        RecordReader.Mode.LENIENT);
  }

  public Path dir() {
    return dir;
  }

  public Manifest manifest() {
    return manifest;
  }

  public Path payloadPath() {
    return dir.resolve(manifest.payload().file());
  }
}
