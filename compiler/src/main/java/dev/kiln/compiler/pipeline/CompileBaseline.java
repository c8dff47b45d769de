package dev.kiln.compiler.pipeline;

import dev.kiln.artifact.baseline.Baseline;
import dev.kiln.artifact.baseline.BaselineBuilder;
import dev.kiln.artifact.baseline.BaselineFiles;
import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.calibration.CalibrationSet;
import dev.kiln.compiler.calibration.ModelInput;
import dev.kiln.compiler.ort.HostSession;
import dev.kiln.compiler.ort.HostTensor;
import dev.kiln.compiler.ort.LoadLevel;
import dev.kiln.compiler.ort.OrtFailure;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The artifact's {@code baseline.json} (docs/artifact-format.md, "Baseline"): what the model's
 * inputs and predictions look like on real inputs, built when the compile has them ({@code
 * --calibration-data}). Each calibration sample is one record, as an agent captures one request:
 * its input tensors are reduced to features by the same rule the cloud uses, and the model's first
 * output on it gives the predicted class (or value). Without real inputs there is no baseline:
 * Kiln's seeded random inputs say nothing about the field.
 */
final class CompileBaseline {
  /** Samples read at most: each costs one inference, and the bins come from 10,000 values. */
  static final int MAX_SAMPLES = 10_000;

  /**
   * @param json the document's bytes; null when there is none
   * @param summary what the report says: what it holds, or why there is none
   */
  record Result(byte[] json, String summary) {}

  private CompileBaseline() {}

  /**
   * @param model an ONNX model computing what the payload computes (the source), run for the output
   *     distribution; null to describe the inputs only
   */
  static Result build(CompileRequest request, Path model, String name) throws OrtFailure {
    if (request.calibrationData() == null) {
      return new Result(
          null, "none: no --calibration-data (seeded random inputs say nothing about the field)");
    }
    if (model == null) {
      return new Result(null, "none: this front end has no ONNX model to run for the outputs");
    }
    BaselineBuilder builder = new BaselineBuilder(name, request.version(), "calibration");
    int used;
    int total;
    try (HostSession session = HostSession.open(model, LoadLevel.NONE, 1)) {
      List<ModelInput> inputs = new ArrayList<>();
      session
          .inputs()
          .forEach((n, info) -> inputs.add(new ModelInput(n, info.dtype(), info.shape())));
      List<Map<String, HostTensor>> samples =
          CalibrationSet.read(request.calibrationData()).forModel(inputs).samples();
      total = samples.size();
      used = Math.min(total, MAX_SAMPLES);
      for (int i = 0; i < used; i++) {
        add(builder, samples.get(i), session.run(samples.get(i)));
      }
    }
    // Creation time 0: the artifact must stay byte-identical for the same inputs (reproducible
    // builds); the compile-time baseline describes the data, not the moment.
    Baseline baseline = builder.build(0L, null, null);
    String summary =
        String.format(
            "%s: %d input features, %s, from %d calibration samples%s",
            BaselineFiles.FILE_NAME,
            baseline.inputs().size(),
            baseline.output() == null
                ? "no output"
                : baseline.output().classifier()
                    ? "output classes " + baseline.output().classes()
                    : "output values",
            used,
            used < total ? " (the first " + used + " of " + total + ")" : "");
    if (builder.skipped() > 0) {
      throw new CompileException(
          CompileErrorCode.BAD_INPUT,
          builder.skipped()
              + " calibration samples do not have the first sample's shapes; a baseline needs one"
              + " record layout, as an agent captures one request");
    }
    return new Result(BaselineFiles.toBytes(baseline), summary);
  }

  private static void add(
      BaselineBuilder builder, Map<String, HostTensor> inputs, Map<String, HostTensor> outputs) {
    if (!builder.hasLayout()) {
      List<String> names = new ArrayList<>(inputs.keySet());
      List<long[]> shapes = new ArrayList<>();
      inputs.values().forEach(t -> shapes.add(t.shape()));
      builder.inputs(names, shapes);
      if (!outputs.isEmpty()) {
        Map.Entry<String, HostTensor> first = outputs.entrySet().iterator().next();
        builder.output(first.getKey(), first.getValue().size());
      }
    }
    List<double[]> values = new ArrayList<>();
    inputs.values().forEach(t -> values.add(t.asDoubles()));
    Integer top = null;
    Double max = null;
    if (!outputs.isEmpty()) {
      double[] out = outputs.values().iterator().next().asDoubles();
      for (int i = 0; i < out.length; i++) {
        if (top == null || out[i] > max) {
          top = i;
          max = out[i];
        }
      }
    }
    builder.add(values, top, max);
  }
}
