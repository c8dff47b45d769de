package dev.kiln.cli.compile;

import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.cloud.store.CapturedInputs;
import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.calibration.CalibrationSet;
import dev.kiln.files.OwnerOnly;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code --calibration-from DB}: the newest captured inputs of a model in the cloud store, written
 * as JSONL calibration files ({@code {"inputs": [tensors]}} per line, the capture's own tensor
 * list) in a private temporary folder, so the compiler reads fleet data through the same reader as
 * {@code --calibration-data} and never depends on the store. Rows stream from the store to files of
 * at most {@link #BYTES_PER_FILE}, so the CLI holds one row at a time and each file stays under the
 * reader's JSON size limit. Captured inputs are user data: the folder is the owner's only and is
 * deleted after the compile.
 *
 * @param folder the folder to pass as the request's calibration data
 * @param summary one line for the user: what was used and what was skipped, and why
 */
record FleetCalibration(Path folder, String summary) implements AutoCloseable {
  static final int DEFAULT_LIMIT = 200;

  /** Calibration wants hundreds of samples; far more only costs memory (decoded: 1 GiB at most). */
  static final int MAX_LIMIT = 10_000;

  static final long BYTES_PER_FILE = 64L << 20;

  static FleetCalibration fetch(Path db, String model, String version, int limit) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new CompileException(
          CompileErrorCode.BAD_INPUT,
          "--limit must be between 1 and " + MAX_LIMIT + " (got " + limit + ")");
    }
    Path folder = privateFolder();
    CapturedInputs found;
    List<String> models;
    try (CaptureStore store = CaptureStore.openReadOnly(db);
        ChunkedJsonl out = new ChunkedJsonl(folder)) {
      found = CapturedInputs.newest(store, model, version, limit, out::write);
      models = found.used() == 0 ? CapturedInputs.models(store) : List.of();
    } catch (UncheckedIOException e) {
      delete(folder);
      throw new CompileException(CompileErrorCode.IO_ERROR, e.getMessage(), e);
    } catch (RuntimeException e) {
      delete(folder);
      throw e;
    }
    String what = "model '" + model + "'" + (version == null ? "" : " version " + version);
    String skipped =
        String.format(
            "skipped %d truncated (over the capture payload cap, no data), %d shadow (a copy of"
                + " the serving request's inputs) and %d without inputs (captured in outputs"
                + " mode)",
            found.truncated(), found.shadow(), found.withoutInputs());
    if (found.used() == 0) {
      delete(folder);
      throw new CompileException(
          CompileErrorCode.BAD_INPUT,
          "--calibration-from "
              + db
              + " has no usable captured inputs of "
              + what
              + " ("
              + skipped
              + "). "
              + (models.isEmpty()
                  ? "The store has no captures yet."
                  : "Models with captures: " + String.join(", ", models) + ".")
              + " Enable input capture for the deployment (capture mode inputs or both), or"
              + " pass --calibration-data FILE.");
    }
    String summary =
        String.format(
            "calibration data: %d captured inputs of %s from %s (the newest of %d usable; %s)%s",
            found.used(),
            what,
            db,
            found.usable(),
            skipped,
            found.used() < CalibrationSet.MIN_SAMPLES_TO_CALIBRATE
                ? String.format(
                    ". Fewer than %d samples: enough to verify, too few to calibrate int8 well",
                    CalibrationSet.MIN_SAMPLES_TO_CALIBRATE)
                : "");
    return new FleetCalibration(folder, summary);
  }

  private static Path privateFolder() {
    try {
      Path dir = Files.createTempDirectory("kiln-calibration");
      OwnerOnly.narrow(dir, OwnerOnly.FOLDER);
      return dir;
    } catch (IOException e) {
      throw new CompileException(
          CompileErrorCode.IO_ERROR,
          "cannot create a temporary folder for the captured inputs: " + e.getMessage(),
          e);
    }
  }

  @Override
  public void close() {
    delete(folder);
  }

  private static void delete(Path folder) {
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // A leftover private temp folder is harmless; the compile's result matters more.
    }
  }

  /** captures-00000.jsonl, captures-00001.jsonl, ...: name order is capture order. */
  private static final class ChunkedJsonl implements AutoCloseable {
    private final Path folder;
    private Writer out;
    private long bytes;
    private int files;

    ChunkedJsonl(Path folder) {
      this.folder = folder;
    }

    void write(String tensors) {
      try {
        if (out == null || bytes > BYTES_PER_FILE) {
          close();
          out =
              Files.newBufferedWriter(
                  folder.resolve(String.format("captures-%05d.jsonl", files++)),
                  StandardCharsets.UTF_8,
                  StandardOpenOption.CREATE_NEW);
          bytes = 0;
        }
        out.write("{\"inputs\":");
        out.write(tensors);
        out.write("}\n");
        bytes += tensors.length() + 12;
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot write the captured inputs to " + folder + ": " + e.getMessage(), e);
      }
    }

    @Override
    public void close() {
      if (out != null) {
        try {
          out.close();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        out = null;
      }
    }
  }
}
