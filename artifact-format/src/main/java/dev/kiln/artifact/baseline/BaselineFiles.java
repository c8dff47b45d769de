package dev.kiln.artifact.baseline;

import com.fasterxml.jackson.databind.DeserializationFeature;
import dev.kiln.artifact.Artifact;
import dev.kiln.artifact.ArtifactErrorCode;
import dev.kiln.artifact.ArtifactException;
import dev.kiln.artifact.ArtifactFormat;
import dev.kiln.artifact.ArtifactWriter;
import dev.kiln.artifact.AtomicFiles;
import dev.kiln.artifact.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads and writes {@code baseline.json} (canonical JSON, as every artifact file), on its own or
 * inside an artifact.
 */
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

  /**
   * Reads a {@code baseline.json}, or the one inside an artifact: a {@code .kiln} archive
   * (unpacked, with its checksums checked, into a temporary folder deleted afterwards) or an
   * artifact directory. An artifact compiled without {@code --calibration-data} has none, which is
   * refused with the way to build one from traffic.
   */
  public static Baseline readFileOrArtifact(Path path) {
    boolean archive = path.getFileName().toString().endsWith(ArtifactFormat.EXTENSION);
    boolean directory = Files.isDirectory(path);
    if (!archive && !directory) {
      return read(path);
    }
    Path scratch = null;
    try {
      scratch = Files.createTempDirectory("kiln-baseline");
      Artifact a = Artifact.openAny(path, scratch.resolve("artifact"));
      Path file = a.dir().resolve(FILE_NAME);
      if (!Files.isRegularFile(file)) {
        throw new ArtifactException(
            ArtifactErrorCode.NOT_FOUND,
            path
                + " has no "
                + FILE_NAME
                + ": it was compiled without --calibration-data. Build a baseline from traffic"
                + " with kiln monitor baseline, or compile with real inputs.");
      }
      return parse(Files.readAllBytes(file), path + "!" + FILE_NAME);
    } catch (IOException e) {
      throw new ArtifactException(ArtifactErrorCode.IO_ERROR, "cannot read " + path, e);
    } finally {
      if (scratch != null) {
        try {
          ArtifactWriter.deleteTree(scratch);
        } catch (IOException | RuntimeException ignored) {
          // Temp space; the OS cleans what we could not.
        }
      }
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
