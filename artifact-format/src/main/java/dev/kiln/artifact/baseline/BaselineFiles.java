package dev.kiln.artifact.baseline;

import com.fasterxml.jackson.databind.DeserializationFeature;
import dev.kiln.artifact.ArtifactErrorCode;
import dev.kiln.artifact.ArtifactException;
import dev.kiln.artifact.AtomicFiles;
import dev.kiln.artifact.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads and writes {@code baseline.json} (canonical JSON, as every artifact file). */
public final class BaselineFiles {
  /** The name the artifact will carry it under. */
  public static final String FILE_NAME = "baseline.json";

  private BaselineFiles() {}

  public static byte[] toBytes(Baseline b) {
    return Json.toBytes(b);
  }

  public static void write(Baseline b, Path file) {
    try {
      AtomicFiles.write(file, toBytes(b));
    } catch (IOException e) {
      throw new ArtifactException(ArtifactErrorCode.IO_ERROR, "cannot write " + file, e);
    }
  }

  /** Reads a baseline; fields this version does not know are ignored, a newer format refused. */
  public static Baseline read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ArtifactException(ArtifactErrorCode.NOT_FOUND, "cannot read baseline " + file, e);
    }
    return parse(bytes, file.toString());
  }

  public static Baseline parse(byte[] bytes, String where) {
    Baseline b;
    try {
      b =
          Json.MAPPER
              .readerFor(Baseline.class)
              .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
              .readValue(bytes);
    } catch (IOException e) {
      throw new ArtifactException(
          ArtifactErrorCode.INVALID_MANIFEST, where + " is not a baseline: " + e.getMessage(), e);
    }
    if (b.version() < 1 || b.version() > Baseline.VERSION) {
      throw new ArtifactException(
          ArtifactErrorCode.UNSUPPORTED_FORMAT_VERSION,
          where
              + " is baseline format "
              + b.version()
              + "; this Kiln reads 1 to "
              + Baseline.VERSION);
    }
    return b;
  }
}
