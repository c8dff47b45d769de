package dev.kiln.compiler.pipeline;

import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.calibration.CalibrationSet;
import dev.kiln.compiler.calibration.ModelInput;
import dev.kiln.compiler.ort.HostSession;
import dev.kiln.compiler.ort.HostTensor;
import dev.kiln.compiler.ort.LoadLevel;
import dev.kiln.compiler.ort.OrtFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The inputs a reduced-precision compile works with: calibration samples (calibration and the
 * sensitivity pass) and held-out samples (the accuracy gate only), disjoint.
 *
 * @param origin what the report says the held-out samples were
 * @param warnings about the data (too few samples, unlike the baseline, ...)
 */
record QuantSamples(
    List<Map<String, HostTensor>> calibrate,
    List<Map<String, HostTensor>> heldOut,
    String origin,
    List<String> warnings) {
  private static final long SEED = 20261202L;

  /** Seeds of the sensitivity samples start here, far from the held-out ones. */
  private static final long SENSITIVITY_SEED_OFFSET = 1000;

  static QuantSamples load(CompileRequest request, OnnxFrontEnd.Result front, boolean static_) {
    if (request.calibrationData() != null) {
      List<ModelInput> inputs = modelInputs(front);
      CalibrationSet set =
          CalibrationSet.read(request.calibrationData())
              .forModel(inputs)
              .againstReferenceBeside(request.source(), inputs);
      CalibrationSet.Split split = set.split();
      if (split.heldOut().isEmpty() || split.calibrate().isEmpty()) {
        throw new CompileException(
            CompileErrorCode.BAD_INPUT,
            "--quantize "
                + request.quantize().mode().flag()
                + " needs at least 2 samples in --calibration-data "
                + request.calibrationData()
                + " (it has "
                + set.size()
                + "): every "
                + CalibrationSet.HOLD_OUT_EVERY
                + "th is held out for the accuracy gate and never calibrated on. Give a few"
                + " hundred real inputs.");
      }
      return new QuantSamples(
          split.calibrate(),
          split.heldOut(),
          split.heldOut().size()
              + " held-out samples of "
              + set.size()
              + " from "
              + request.calibrationData().getFileName(),
          set.warnings());
    }
    if (static_) {
      throw new CompileException(
          CompileErrorCode.BAD_INPUT,
          "--quantize int8 on this model uses static int8 (it has Conv layers), which needs real"
              + " inputs to calibrate activation ranges: random inputs would give ranges the model"
              + " never sees in service. Give --calibration-data FILE|DIR (JSON, JSONL, .npy, .npz"
              + " or a folder of them; a few hundred samples) or --calibration-from DB --model M.");
    }
    return random(request, front);
  }

  private static List<ModelInput> modelInputs(OnnxFrontEnd.Result front) {
    List<ModelInput> inputs = new ArrayList<>();
    try (HostSession session = HostSession.open(front.payload(), LoadLevel.NONE, 1)) {
      session
          .inputs()
          .forEach((name, info) -> inputs.add(new ModelInput(name, info.dtype(), info.shape())));
    } catch (OrtFailure e) {
      throw new CompileException(CompileErrorCode.UNSUPPORTED_MODEL, e.getMessage(), e);
    }
    return inputs;
  }

  /** Dynamic int8 and fp16 calibrate nothing, so seeded random inputs can judge them. */
  private static QuantSamples random(CompileRequest request, OnnxFrontEnd.Result front) {
    int n = Math.max(3, request.verifySamples());
    List<Map<String, HostTensor>> heldOut = new ArrayList<>();
    List<Map<String, HostTensor>> calibrate = new ArrayList<>();
    try (HostSession session = HostSession.open(front.payload(), LoadLevel.NONE, 1)) {
      var inputs = session.inputs();
      for (int i = 0; i < n; i++) {
        heldOut.add(RandomInputs.make(inputs, SEED + i, front.generatedSizes()));
        calibrate.add(
            RandomInputs.make(inputs, SEED + SENSITIVITY_SEED_OFFSET + i, front.generatedSizes()));
      }
    } catch (OrtFailure e) {
      throw new CompileException(CompileErrorCode.UNSUPPORTED_MODEL, e.getMessage(), e);
    }
    return new QuantSamples(
        calibrate,
        heldOut,
        n
            + " seeded random inputs (no --calibration-data; "
            + request.quantize().mode().flag()
            + " calibrates nothing, but real inputs judge accuracy better)",
        List.of());
  }
}
