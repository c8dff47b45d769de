package dev.kiln.compiler.pipeline;

import dev.kiln.artifact.ArtifactFormat;
import dev.kiln.artifact.Json;
import dev.kiln.artifact.Manifest;
import dev.kiln.artifact.Sha256;
import dev.kiln.artifact.TensorData;
import dev.kiln.artifact.VerificationSample;
import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.calibration.CalibrationSet;
import dev.kiln.compiler.calibration.ModelInput;
import dev.kiln.compiler.ort.HostSession;
import dev.kiln.compiler.ort.HostTensor;
import dev.kiln.compiler.ort.IoTensor;
import dev.kiln.compiler.ort.LoadLevel;
import dev.kiln.compiler.ort.OrtFailure;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stage 4: runs the source (unoptimized, the most literal reading of the model) and the compiled
 * payload (as a device would load it) on the same inputs and measures the worst difference.
 */
final class Verifier {
  /** Seeds are fixed: verification, and so the artifact, must not change between runs. */
  private static final long SEED = 20261124L;

  /**
   * Verification runs on at most this many calibration samples, the first ones: each costs two
   * inferences, and more samples than this add little to an fp32 equivalence check.
   */
  static final int MAX_CALIBRATION_SAMPLES = 32;

  /**
   * @param notes what the report should say about the calibration data (conversions, how many
   *     samples verification used, differences from the model's reference inputs)
   */
  record Outcome(
      Manifest.Verification verification,
      VerificationSample sample,
      String worstDetail,
      Map<String, HostTensor> firstInputs,
      List<String> notes) {}

  private Verifier() {}

  static Outcome verify(Path source, Path compiled, LoadLevel compiledLevel, CompileRequest request)
      throws OrtFailure {
    return verify(source, compiled, compiledLevel, request, Map.of());
  }

  /**
   * @param generatedSizes sizes generated inputs give dims the payload keeps dynamic (see {@link
   *     RandomInputs#make(Map, long, Map)})
   */
  static Outcome verify(
      Path source,
      Path compiled,
      LoadLevel compiledLevel,
      CompileRequest request,
      Map<String, long[]> generatedSizes)
      throws OrtFailure {
    List<Map<String, HostTensor>> inputSets = new ArrayList<>();
    Verification verification = new Verification();
    Map<String, HostTensor> firstOutputs = null;
    List<String> notes = new ArrayList<>();
    try (HostSession src = HostSession.open(source, LoadLevel.NONE, 1);
        HostSession out = HostSession.open(compiled, compiledLevel, 1)) {
      if (request.calibrationData() != null) {
        inputSets.addAll(calibrationSamples(request, out.inputs(), notes));
      } else {
        for (int i = 0; i < Math.max(1, request.verifySamples()); i++) {
          inputSets.add(RandomInputs.make(out.inputs(), SEED + i, generatedSizes));
        }
      }
      for (int i = 0; i < inputSets.size(); i++) {
        Map<String, HostTensor> expected = runSource(src, inputSets.get(i), request);
        Map<String, HostTensor> actual = out.run(inputSets.get(i));
        verification.compare(i, expected, actual, request.tolerance());
        if (i == 0) {
          firstOutputs = expected;
        }
      }
    }
    VerificationSample sample =
        VerificationSample.relativeToOutputMax(
            toData(inputSets.get(0)), toData(firstOutputs), request.tolerance());
    Manifest.Verification result =
        new Manifest.Verification(
            verification.passed(),
            request.calibrationData() != null
                ? "onnxruntime-cpu, calibration data"
                : "onnxruntime-cpu, seeded random inputs",
            inputSets.size(),
            verification.maxAbs(),
            verification.maxRel(),
            request.tolerance(),
            verification.worstOutput(),
            ArtifactFormat.SAMPLE,
            Sha256.of(Json.toBytes(sample)));
    if (!verification.passed()) {
      throw new CompileException(
          CompileErrorCode.VERIFICATION_FAILED,
          String.format(
              "compiled model differs from the source beyond tolerance %.1e: max abs error %.3e"
                  + " (worst: %s). Nothing was written. Raise --tolerance if this is expected"
                  + " (e.g. reduced precision), or report it with the model attached.",
              request.tolerance(), verification.maxAbs(), verification.worstDetail()));
    }
    return new Outcome(result, sample, verification.worstDetail(), inputSets.get(0), notes);
  }

  /** All calibration samples up to {@link #MAX_CALIBRATION_SAMPLES}, matched to the model. */
  private static List<Map<String, HostTensor>> calibrationSamples(
      CompileRequest request, Map<String, IoTensor> modelInputs, List<String> notes) {
    List<ModelInput> inputs = new ArrayList<>();
    modelInputs.forEach(
        (name, info) -> inputs.add(new ModelInput(name, info.dtype(), info.shape())));
    CalibrationSet set =
        CalibrationSet.read(request.calibrationData())
            .forModel(inputs)
            .againstReferenceBeside(request.source(), inputs);
    notes.addAll(set.notes());
    List<Map<String, HostTensor>> samples = set.samples();
    if (samples.size() > MAX_CALIBRATION_SAMPLES) {
      notes.add(
          "verification ran on the first "
              + MAX_CALIBRATION_SAMPLES
              + " of the "
              + samples.size()
              + " samples in "
              + request.calibrationData());
      return samples.subList(0, MAX_CALIBRATION_SAMPLES);
    }
    return samples;
  }

  /**
   * Runs the source as given. When that fails, the inputs are wrong for the model, not the model
   * for Kiln: say so, with a distinct exit code, and point at real inputs.
   */
  private static Map<String, HostTensor> runSource(
      HostSession src, Map<String, HostTensor> inputs, CompileRequest request) {
    try {
      return src.run(inputs);
    } catch (OrtFailure e) {
      String shapes = describe(inputs);
      if (request.calibrationData() != null) {
        throw new CompileException(
            CompileErrorCode.SOURCE_MODEL_FAILED,
            "the source model itself fails in ONNX Runtime on the inputs from "
                + request.calibrationData()
                + " ("
                + shapes
                + "): "
                + e.getMessage()
                + "\nCheck that those inputs are valid for the model (names, shapes, value ranges).",
            e);
      }
      throw new CompileException(
          CompileErrorCode.SOURCE_MODEL_FAILED,
          "the source model itself fails in ONNX Runtime on Kiln's generated inputs (seeded random"
              + " values, "
              + shapes
              + "): "
              + e.getMessage()
              + "\nThe model is not unsupported: it needs valid inputs (e.g. a real sample rate or"
              + " signal length). Give some with --calibration-data FILE (JSON, as in the"
              + " reference format: {\"inputs\": {name: {\"shape\": [...], \"data\": [...]}}}).",
          e);
    }
  }

  /** {@code input:1x3x32x32, sr:1} in input order. */
  static String describe(Map<String, HostTensor> inputs) {
    List<String> parts = new ArrayList<>();
    inputs.forEach(
        (name, t) ->
            parts.add(
                name
                    + ":"
                    + (t.shape().length == 0
                        ? "scalar"
                        : dev.kiln.compiler.ir.InputShapes.format(t.shape()))));
    return String.join(", ", parts);
  }

  static Map<String, TensorData> toData(Map<String, HostTensor> tensors) {
    Map<String, TensorData> out = new LinkedHashMap<>();
    tensors.forEach((name, t) -> out.put(name, t.toData()));
    return out;
  }
}
