package dev.kiln.cli.compile;

import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.cloud.store.CapturedInputs;
import dev.kiln.compiler.calibration.CalibrationSet;
import dev.kiln.compiler.pipeline.CompileErrorCode;
import dev.kiln.compiler.pipeline.CompileException;
import dev.kiln.files.OwnerOnly;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * {@code --calibration-from DB}: the newest captured inputs of a model in the cloud store, written
 * as a JSONL calibration file ({@code {"inputs": [tensors]}} per line, the capture's own tensor
 * list) in a private temporary folder, so the compiler reads fleet data through the same reader as
 * {@code --calibration-data} and never depends on the store. Captured inputs are user data: the
 * folder is the owner's only and is deleted after the compile.
 *
 * @param file the JSONL file to pass as the request's calibration data
 * @param summary one line for the user: what was used and what was skipped, and why
 */
record FleetCalibration(Path file, String summary) implements AutoCloseable {
  static final int DEFAULT_LIMIT = 200;

  static FleetCalibration fetch(Path db, String model, String version, int limit) {
    if (limit < 1) {
      throw new CompileException(
          CompileErrorCode.BAD_INPUT, "--limit must be at least 1 (got " + limit + ")");
    }
    CapturedInputs found;
    List<String> models;
    try (CaptureStore store = CaptureStore.openReadOnly(db)) {
      found = CapturedInputs.newest(store, model, version, limit);
      models = found.inputs().isEmpty() ? CapturedInputs.models(store) : List.of();
    }
    String what = "model '" + model + "'" + (version == null ? "" : " version " + version);
    String skipped =
        String.format(
            "skipped %d truncated (over the capture payload cap, no data), %d shadow (a copy of"
                + " the serving request's inputs) and %d without inputs (captured in outputs"
                + " mode)",
            found.truncated(), found.shadow(), found.withoutInputs());
    if (found.inputs().isEmpty()) {
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
            found.inputs().size(),
            what,
            db,
            found.usable(),
            skipped,
            found.inputs().size() < CalibrationSet.MIN_SAMPLES_TO_CALIBRATE
                ? String.format(
                    ". Fewer than %d samples: enough to verify, too few to calibrate int8 well",
                    CalibrationSet.MIN_SAMPLES_TO_CALIBRATE)
                : "");
    return new FleetCalibration(write(found.inputs()), summary);
  }

  private static Path write(List<String> inputs) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("kiln-calibration");
      OwnerOnly.narrow(dir, OwnerOnly.FOLDER);
      Path file = dir.resolve("captures.jsonl");
      try (Writer out =
          Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW)) {
        for (String tensors : inputs) {
          out.write("{\"inputs\":");
          out.write(tensors);
          out.write("}\n");
        }
      }
      return file;
    } catch (IOException e) {
      throw new CompileException(
          CompileErrorCode.IO_ERROR,
          "cannot write the captured inputs to a temporary file: " + e.getMessage(),
          e);
    }
  }

  @Override
  public void close() {
    try {
      Files.deleteIfExists(file);
      Files.deleteIfExists(file.getParent());
    } catch (IOException e) {
      // A leftover private temp folder is harmless; the compile's result matters more.
    }
  }
}
