package dev.kiln.artifact;

import dev.kiln.json.RecordBindingException;
import dev.kiln.json.RecordReader;
import java.io.IOException;

/**
 * Parses manifest.json and refuses one an agent must not act on: unknown format version, missing
 * sections, or a file name (payload, sample, source) that would lead outside the artifact. Both
 * {@link Artifact#open} and {@link ArtifactArchive} read manifests through here, so an archive is
 * judged by its manifest before any entry is written.
 */
final class ManifestReader {
  private ManifestReader() {}

  static Manifest parse(byte[] bytes, String where) {
    Manifest manifest;
    try {
      // Bound without databind: an agent reads manifests at every start (RecordReader says why).
      manifest = RecordReader.read(bytes, Manifest.class, RecordReader.Mode.LENIENT);
    } catch (RecordBindingException e) {
      throw new ArtifactException(
          ArtifactErrorCode.INVALID_MANIFEST,
          "manifest.json in "
              + where
              + " does not fit the artifact format at "
              + e.getMessage()
              + "; recompile the model",
          e);
    } catch (IOException e) {
      throw new ArtifactException(
          ArtifactErrorCode.INVALID_MANIFEST,
          "manifest.json in " + where + " is not valid JSON: " + e.getMessage(),
          e);
    }
    if (manifest.formatVersion() != ArtifactFormat.VERSION) {
      throw new ArtifactException(
          ArtifactErrorCode.UNSUPPORTED_FORMAT_VERSION,
          "artifact format version "
              + manifest.formatVersion()
              + " is not supported (this build reads version "
              + ArtifactFormat.VERSION
              + "); upgrade the agent or recompile the model");
    }
    if (manifest.model() == null || manifest.payload() == null || manifest.target() == null) {
      throw new ArtifactException(
          ArtifactErrorCode.INVALID_MANIFEST,
          "manifest.json in " + where + " lacks model, payload or target; recompile the model");
    }
    checkPath(where, "payload.file", manifest.payload().file());
    if (manifest.payload().bytes() < 0) {
      throw new ArtifactException(
          ArtifactErrorCode.INVALID_MANIFEST,
          "manifest.json in " + where + " declares a negative payload.bytes");
    }
    if (manifest.verification() != null && manifest.verification().sampleFile() != null) {
      checkPath(where, "verification.sampleFile", manifest.verification().sampleFile());
    }
    if (manifest.source() != null && manifest.source().fileName() != null) {
      String fileName = manifest.source().fileName();
      checkPath(where, "source.fileName", fileName);
      if (fileName.contains("/")) {
        throw new ArtifactException(
            ArtifactErrorCode.INVALID_MANIFEST,
            "manifest.json in " + where + ": source.fileName must be a file name, not a path");
      }
    }
    return manifest;
  }

  private static void checkPath(String where, String field, String value) {
    String problem = EntryNames.problem(value);
    if (problem != null) {
      throw new ArtifactException(
          ArtifactErrorCode.INVALID_MANIFEST,
          "manifest.json in "
              + where
              + ": "
              + field
              + " "
              + EntryNames.quote(value)
              + " leaves the artifact ("
              + problem
              + "); a manifest names only files inside its own artifact");
    }
  }
}
