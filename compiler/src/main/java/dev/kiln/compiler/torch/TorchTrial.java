package dev.kiln.compiler.torch;

import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.ort.HostTensor;
import dev.kiln.compiler.pipeline.CompileSteps;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the TorchScript source in libtorch on every verification input set. This is where a wrong
 * {@code --input-shape} shows up, since nothing in a TorchScript file declares shapes; and where
 * the source's outputs are checked against {@code --calibration-data}'s outputs when it has them.
 */
final class TorchTrial {
  private TorchTrial() {}

  /** The source's outputs, one list per input set of {@code inputs}. */
  static List<List<HostTensor>> run(
      TorchModule source, TorchInputs inputs, String file, double tolerance) {
    List<List<HostTensor>> outputs = new ArrayList<>();
    for (List<HostTensor> set : inputs.sets()) {
      try {
        outputs.add(source.run(set));
      } catch (TorchModule.ForwardFailed e) {
        throw new CompileException(
            CompileErrorCode.BAD_INPUT_SHAPE,
            "forward of "
                + file
                + " fails on input shape "
                + inputs.describe()
                + ". PyTorch says: "
                + e.reason()
                + "\nGive --input-shape NAME:DIMS for each argument of forward, in order, with the"
                + " shapes the model was traced or written for.",
            e);
      }
    }
    for (int i = 0; i < outputs.size(); i++) {
      checkReference(inputs, i, outputs.get(i), file, tolerance);
    }
    return outputs;
  }

  /** {@link #checkReference(TorchInputs, int, List, String, double)} for the first sample. */
  static void checkReference(
      TorchInputs inputs, List<HostTensor> actual, String file, double tolerance) {
    checkReference(inputs, 0, actual, file, tolerance);
  }

  /** Fails when calibration sample {@code index} carries outputs the source does not reproduce. */
  static void checkReference(
      TorchInputs inputs, int index, List<HostTensor> actual, String file, double tolerance) {
    List<HostTensor> expected = inputs.expectedOutputs(index);
    if (expected.isEmpty()) {
      return;
    }
    if (expected.size() != actual.size()) {
      throw new CompileException(
          CompileErrorCode.VERIFICATION_FAILED,
          "--calibration-data has "
              + expected.size()
              + " outputs but forward of "
              + file
              + " returns "
              + actual.size());
    }
    CompileSteps.Comparison comparison = CompileSteps.comparison();
    comparison.compare(
        0, TorchInputs.namedOutputs(expected), TorchInputs.namedOutputs(actual), tolerance);
    if (!comparison.passed()) {
      throw new CompileException(
          CompileErrorCode.VERIFICATION_FAILED,
          String.format(
              "%s in libtorch does not reproduce the outputs in --calibration-data: max abs error"
                  + " %.3e beyond tolerance %.1e (worst: %s). Check that the data came from this"
                  + " model, or raise --tolerance. Nothing was written.",
              file, comparison.maxAbs(), tolerance, comparison.worstDetail()));
    }
  }
}
