package dev.kiln.compiler.calibration;

import dev.kiln.compiler.ort.HostTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Real model inputs for verification and calibration, read once from {@code --calibration-data}: a
 * JSON sample object or array of them, JSONL (one per line), a .npy (one input), a .npz (one array
 * per input) or a folder of those, read in name order. Samples are input sets (name to tensor) in
 * the order read; a sample's tensors carry their own batch dim, as the model takes them.
 *
 * <p>.npy and .npz arrays may hold many samples along a first axis. Which it is depends on the
 * model, so {@link #forModel} decides: an array whose rank is the input's rank + 1 holds samples
 * along axis 0; an array of the input's rank is one sample. Until then each array is one sample.
 *
 * <p>Files are hostile until read: decoded values are bounded by {@link ByteBudget#DEFAULT_BYTES},
 * checked against the bytes present before allocating, and every refusal (exit 2) names the file,
 * the problem and the fix.
 */
public final class CalibrationSet {
  /**
   * Below this, static calibration is a guess: min-max ranges from a few inputs miss the extremes
   * of real data, and with a fifth held out the gate judges on fewer than 20 samples, where one
   * disagreement moves top-1 agreement by over 5 points.
   */
  public static final int MIN_SAMPLES_TO_CALIBRATE = 100;

  /** Every {@value}-th sample (the 5th, 10th, ...) is held out for the accuracy gate. */
  public static final int HOLD_OUT_EVERY = 5;

  /** Calibration samples and held-out samples, disjoint, each in read order. */
  public record Split(
      List<Map<String, HostTensor>> calibrate, List<Map<String, HostTensor>> heldOut) {}

  private final Path source;
  private final List<Sample> samples;
  private final List<String> notes;

  CalibrationSet(Path source, List<Sample> samples, List<String> notes) {
    this.source = source;
    this.samples = List.copyOf(samples);
    this.notes = List.copyOf(notes);
  }

  /** Reads a file or a folder; see the class comment for formats. */
  public static CalibrationSet read(Path fileOrDir) {
    return read(fileOrDir, ByteBudget.DEFAULT_BYTES);
  }

  static CalibrationSet read(Path fileOrDir, long maxBytes) {
    return SetReader.read(fileOrDir, new ByteBudget(maxBytes));
  }

  /** The {@code NAME.reference.json} beside a model file {@code NAME.onnx}, if there is one. */
  public static Optional<Path> referenceBeside(Path model) {
    String file = model.getFileName().toString();
    int dot = file.lastIndexOf('.');
    Path reference =
        model.resolveSibling((dot > 0 ? file.substring(0, dot) : file) + ".reference.json");
    return Files.isRegularFile(reference) ? Optional.of(reference) : Optional.empty();
  }

  public Path source() {
    return source;
  }

  public int size() {
    return samples.size();
  }

  /** Input sets in read order. */
  public List<Map<String, HostTensor>> samples() {
    return samples.stream().map(Sample::inputs).toList();
  }

  /** The outputs each sample says the model must produce; an empty map where it says none. */
  public List<Map<String, HostTensor>> expectedOutputs() {
    return samples.stream().map(Sample::outputs).toList();
  }

  /** Where sample {@code index} came from ("file", "file[3]", "file:12"), for messages. */
  public String origin(int index) {
    return samples.get(index).origin();
  }

  /**
   * Matches the samples to a model's inputs: names must agree (a lone .npy is the model's one
   * input), .npy/.npz arrays of rank + 1 are split along their first axis, dtypes must fit (float
   * data for float inputs, integer or bool data for integer inputs) and fixed dims must match.
   */
  public CalibrationSet forModel(List<ModelInput> inputs) {
    return ModelMatch.apply(this, inputs);
  }

  /**
   * Every {@link #HOLD_OUT_EVERY}-th sample is held out, never calibrated on. A set of 2 to 4
   * samples holds out its last one; a single sample cannot be split and is only calibrated on (see
   * {@link #warnings()}).
   */
  public Split split() {
    List<Map<String, HostTensor>> calibrate = new ArrayList<>();
    List<Map<String, HostTensor>> heldOut = new ArrayList<>();
    int n = samples.size();
    for (int i = 0; i < n; i++) {
      boolean hold = n >= HOLD_OUT_EVERY ? (i + 1) % HOLD_OUT_EVERY == 0 : n > 1 && i == n - 1;
      (hold ? heldOut : calibrate).add(samples.get(i).inputs());
    }
    return new Split(
        Collections.unmodifiableList(calibrate), Collections.unmodifiableList(heldOut));
  }

  /**
   * What is true of the data whatever it is used for: conversions made while reading, files skipped
   * in a folder, non-finite values, and differences from a baseline ({@link #againstBaseline}).
   */
  public List<String> notes() {
    return notes;
  }

  /** {@link #notes()}, plus whether there are enough samples to calibrate and to hold some out. */
  public List<String> warnings() {
    List<String> out = new ArrayList<>(notes);
    int n = samples.size();
    if (n < MIN_SAMPLES_TO_CALIBRATE) {
      out.add(
          String.format(
              "%d calibration samples from %s: fewer than %d, so int8 ranges may miss the extremes"
                  + " of real inputs and the accuracy gate judges on only %d held-out samples."
                  + " Give a few hundred real inputs.",
              n, source, MIN_SAMPLES_TO_CALIBRATE, split().heldOut().size()));
    }
    if (n == 1) {
      out.add(
          "a single calibration sample cannot be split: nothing is held out, so the accuracy gate"
              + " has no unseen sample to judge on");
    }
    return out;
  }

  /**
   * This set with a note for each float input whose values look unlike {@code baseline}'s (see
   * {@link InputStats#differences}); {@code what} names the baseline in the note.
   */
  public CalibrationSet againstBaseline(CalibrationSet baseline, String what) {
    List<String> more = new ArrayList<>(notes);
    more.addAll(
        InputStats.differences(InputStats.of(samples()), InputStats.of(baseline.samples()), what));
    return new CalibrationSet(source, samples, new ArrayList<>(new LinkedHashSet<>(more)));
  }

  /**
   * {@link #againstBaseline} with the {@code NAME.reference.json} beside the model, when there is
   * one and it is not this set's own file; a baseline that cannot be read or matched is noted, not
   * fatal, since it only feeds a warning.
   */
  public CalibrationSet againstReferenceBeside(Path model, List<ModelInput> inputs) {
    Optional<Path> reference = referenceBeside(model);
    if (reference.isEmpty() || sameFile(reference.get(), source)) {
      return this;
    }
    try {
      CalibrationSet baseline = read(reference.get()).forModel(inputs);
      return againstBaseline(baseline, "the model's reference inputs " + reference.get());
    } catch (RuntimeException e) {
      List<String> more = new ArrayList<>(notes);
      more.add("the reference inputs " + reference.get() + " were not compared: " + e.getMessage());
      return new CalibrationSet(source, samples, more);
    }
  }

  private static boolean sameFile(Path a, Path b) {
    try {
      return Files.isSameFile(a, b);
    } catch (java.io.IOException e) {
      return false;
    }
  }

  List<Sample> rawSamples() {
    return samples;
  }
}
