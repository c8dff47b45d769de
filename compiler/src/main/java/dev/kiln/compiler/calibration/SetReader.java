package dev.kiln.compiler.calibration;

import dev.kiln.compiler.ort.HostTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/** Picks the reader by file name, walks a folder in name order, and notes what was converted. */
final class SetReader {
  private SetReader() {}

  static CalibrationSet read(Path path, ByteBudget budget) {
    if (!Files.exists(path)) {
      throw Refusal.of(path, "it does not exist", "Check the path");
    }
    Set<String> notes = new LinkedHashSet<>();
    List<Sample> samples = new ArrayList<>();
    if (Files.isDirectory(path)) {
      for (Path file : folder(path, notes)) {
        samples.addAll(file(file, budget));
      }
      if (samples.isEmpty()) {
        throw Refusal.of(
            path,
            "the folder holds no .json, .jsonl, .npy or .npz files",
            "Put calibration files in it, or pass a file");
      }
    } else {
      if (kind(path) == null) {
        throw Refusal.of(
            path,
            "its name does not say its format",
            "Name it .json, .jsonl, .npy or .npz after what it holds");
      }
      samples.addAll(file(path, budget));
    }
    if (samples.isEmpty()) {
      throw Refusal.of(path, "it holds no samples", "Give at least one input set");
    }
    notes.addAll(conversions(samples));
    return new CalibrationSet(path, samples, new ArrayList<>(notes));
  }

  private static List<Path> folder(Path dir, Set<String> notes) {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> listing = Files.list(dir)) {
      for (Path p : listing.sorted().toList()) {
        String name = p.getFileName().toString();
        if (name.startsWith(".")) {
          continue;
        }
        if (Files.isRegularFile(p) && kind(p) != null) {
          files.add(p);
        } else {
          notes.add(
              "skipped "
                  + p
                  + " in the calibration folder: not a .json, .jsonl, .npy or .npz file"
                  + " (subfolders are not read)");
        }
      }
    } catch (IOException e) {
      throw Refusal.of(dir, "the folder cannot be listed (" + e.getMessage() + ")", "Check it", e);
    }
    return files;
  }

  private static String kind(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    for (String ext : List.of(".json", ".jsonl", ".ndjson", ".npy", ".npz")) {
      if (name.endsWith(ext) && name.length() > ext.length()) {
        return ext;
      }
    }
    return null;
  }

  private static List<Sample> file(Path file, ByteBudget budget) {
    return switch (kind(file)) {
      case ".json" -> JsonSamples.readJson(file, budget);
      case ".jsonl", ".ndjson" -> JsonSamples.readLines(file, budget);
      case ".npy" -> {
        NpyArray.Decoded array = NpyArray.read(file, budget);
        String stem = file.getFileName().toString();
        String name = stem.substring(0, stem.length() - ".npy".length());
        yield List.of(
            new Sample(
                file.toString(),
                Map.of(name, array.tensor()),
                Map.of(),
                Map.of(name, array.type()),
                true,
                true));
      }
      case ".npz" -> {
        Map<String, HostTensor> inputs = new LinkedHashMap<>();
        Map<String, ElementType> types = new LinkedHashMap<>();
        NpzArchive.read(file, budget)
            .forEach(
                (name, array) -> {
                  inputs.put(name, array.tensor());
                  types.put(name, array.type());
                });
        yield List.of(new Sample(file.toString(), inputs, Map.of(), types, true, false));
      }
      default -> throw new IllegalStateException(file.toString());
    };
  }

  /** float64 narrowed to float32, and values no calibration can use. */
  private static List<String> conversions(List<Sample> samples) {
    Set<String> out = new LinkedHashSet<>();
    Set<String> nonFinite = new java.util.HashSet<>();
    for (Sample s : samples) {
      s.types()
          .forEach(
              (name, type) -> {
                if (type == ElementType.FLOAT64) {
                  out.add(
                      "input '"
                          + name
                          + "' is float64 in the calibration data; it was read as float32, the"
                          + " precision the model computes in");
                }
              });
      s.inputs()
          .forEach(
              (name, t) -> {
                if (t.values() instanceof float[] f && !nonFinite.contains(name) && !allFinite(f)) {
                  nonFinite.add(name);
                  out.add(
                      "input '"
                          + name
                          + "' holds NaN or infinite values (first in "
                          + s.origin()
                          + "): they make calibration ranges and error figures meaningless, so"
                          + " check the data");
                }
              });
    }
    return new ArrayList<>(out);
  }

  private static boolean allFinite(float[] values) {
    for (float v : values) {
      if (!Float.isFinite(v)) {
        return false;
      }
    }
    return true;
  }
}
