package dev.kiln.compiler.torch;

import dev.kiln.artifact.Manifest;
import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.calibration.CalibrationSet;
import dev.kiln.compiler.calibration.ModelInput;
import dev.kiln.compiler.ir.InputShapes;
import dev.kiln.compiler.ort.HostTensor;
import dev.kiln.compiler.pipeline.CompileRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The inputs of a TorchScript model, which the file itself does not record: forward takes
 * positional tensors of any shape. They come from {@code --input-shape} (names and shapes, in
 * forward's argument order, float32) or from {@code --calibration-data} (names, dtypes, shapes and
 * values). With {@code --input-shape} the shapes are fixed; from calibration data alone the first
 * (batch) axis stays dynamic, as it does for ONNX exports. Names, dtypes and shapes come from the
 * first calibration sample; every sample (up to {@link #MAX_CALIBRATION_SAMPLES}) is verified.
 *
 * @param sets input sets for verification: the calibration inputs, or seeded random ones
 * @param calibration the calibration data, or null
 */
record TorchInputs(
    List<String> names,
    List<String> dtypes,
    List<long[]> shapes,
    boolean fixed,
    List<List<HostTensor>> sets,
    CalibrationSet calibration) {

  /** Seeds are fixed: verification, and so the artifact, must not change between runs. */
  private static final long SEED = 20261124L;

  /** As for ONNX: each sample costs a libtorch run and a compiled run; the first ones are used. */
  static final int MAX_CALIBRATION_SAMPLES = 32;

  static TorchInputs of(CompileRequest request) {
    Map<String, long[]> given = request.inputShapes();
    CalibrationSet calibration =
        request.calibrationData() == null ? null : calibration(request.calibrationData(), given);
    if (given.isEmpty() && calibration == null) {
      throw new CompileException(
          CompileErrorCode.BAD_INPUT_SHAPE,
          "a TorchScript model does not record its input shapes, so Kiln needs them: pass"
              + " --input-shape NAME:DIMS for each argument of forward, in order, e.g."
              + " --input-shape input:1x3x224x224 (or --calibration-data FILE with real inputs)");
    }
    Map<String, HostTensor> first = calibration == null ? null : calibration.samples().get(0);
    List<String> names = new ArrayList<>();
    List<String> dtypes = new ArrayList<>();
    List<long[]> shapes = new ArrayList<>();
    Map<String, long[]> source = given.isEmpty() ? shapesOf(first) : given;
    source.forEach(
        (name, dims) -> {
          names.add(name);
          shapes.add(dims.clone());
          HostTensor known = first == null ? null : first.get(name);
          dtypes.add(known == null ? "float32" : known.dtype());
        });
    List<List<HostTensor>> sets = new ArrayList<>();
    if (calibration != null) {
      List<Map<String, HostTensor>> samples = calibration.samples();
      for (Map<String, HostTensor> sample : samples) {
        checkAgrees(given, sample);
      }
      for (Map<String, HostTensor> sample :
          samples.subList(0, Math.min(samples.size(), MAX_CALIBRATION_SAMPLES))) {
        sets.add(new ArrayList<>(sample.values()));
      }
    } else {
      for (int i = 0; i < Math.max(1, request.verifySamples()); i++) {
        sets.add(random(dtypes, shapes, SEED + i));
      }
    }
    return new TorchInputs(names, dtypes, shapes, !given.isEmpty(), sets, calibration);
  }

  /**
   * The calibration samples, all with the same inputs in the same order: forward's argument order
   * from {@code --input-shape}, else the first sample's. With {@code --input-shape}, .npy/.npz
   * arrays one rank above the given shapes hold samples along axis 0; the dims themselves are
   * checked by {@link #checkAgrees}, which names both shapes.
   */
  private static CalibrationSet calibration(java.nio.file.Path file, Map<String, long[]> given) {
    CalibrationSet set = CalibrationSet.read(file);
    List<ModelInput> inputs = new ArrayList<>();
    if (given.isEmpty()) {
      set.samples().get(0).keySet().forEach(name -> inputs.add(new ModelInput(name, null, null)));
    } else {
      given.forEach(
          (name, dims) -> {
            long[] anySize = new long[dims.length];
            Arrays.fill(anySize, -1);
            inputs.add(new ModelInput(name, null, anySize));
          });
    }
    return set.forModel(inputs);
  }

  /** Calibration sample {@code index}'s outputs, or none: what forward must reproduce. */
  List<HostTensor> expectedOutputs(int index) {
    return calibration == null || index >= calibration.size()
        ? List.of()
        : new ArrayList<>(calibration.expectedOutputs().get(index).values());
  }

  private static Map<String, long[]> shapesOf(Map<String, HostTensor> tensors) {
    Map<String, long[]> out = new LinkedHashMap<>();
    tensors.forEach((name, t) -> out.put(name, t.shape()));
    return out;
  }

  private static void checkAgrees(Map<String, long[]> given, Map<String, HostTensor> sample) {
    if (given.isEmpty()) {
      return;
    }
    if (!given.keySet().equals(sample.keySet())) {
      throw new CompileException(
          CompileErrorCode.BAD_INPUT_SHAPE,
          "--input-shape names "
              + given.keySet()
              + " but --calibration-data has inputs "
              + sample.keySet()
              + "; give the same inputs to both, or drop --input-shape");
    }
    given.forEach(
        (name, dims) -> {
          long[] have = sample.get(name).shape();
          if (!Arrays.equals(dims, have)) {
            throw new CompileException(
                CompileErrorCode.BAD_INPUT_SHAPE,
                "--input-shape fixes "
                    + name
                    + ":"
                    + InputShapes.format(dims)
                    + " but --calibration-data has "
                    + name
                    + ":"
                    + InputShapes.format(have)
                    + "; make them agree, or drop --input-shape");
          }
        });
  }

  private static List<HostTensor> random(List<String> dtypes, List<long[]> shapes, long seed) {
    Random random = new Random(seed);
    List<HostTensor> set = new ArrayList<>();
    for (int k = 0; k < shapes.size(); k++) {
      long[] shape = shapes.get(k);
      int size = 1;
      for (long d : shape) {
        size = Math.multiplyExact(size, (int) d);
      }
      if (dtypes.get(k).equals("int64")) {
        long[] values = new long[size];
        for (int i = 0; i < size; i++) {
          values[i] = random.nextInt(10);
        }
        set.add(HostTensor.ofLongs(shape, values));
      } else {
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
          values[i] = (float) random.nextGaussian();
        }
        set.add(HostTensor.ofFloats(shape, values));
      }
    }
    return set;
  }

  /** "input:1x3x32x32, mask:1x8", for messages. */
  String describe() {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      parts.add(names.get(i) + ":" + InputShapes.format(shapes.get(i)));
    }
    return String.join(", ", parts);
  }

  /** Forward's outputs are unnamed: one is "output", several are "output0", "output1", ... */
  static List<String> outputNames(int count) {
    if (count == 1) {
      return List.of("output");
    }
    List<String> names = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      names.add("output" + i);
    }
    return names;
  }

  Map<String, HostTensor> named(List<HostTensor> set) {
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      out.put(names.get(i), set.get(i));
    }
    return out;
  }

  static Map<String, HostTensor> namedOutputs(List<HostTensor> outputs) {
    Map<String, HostTensor> out = new LinkedHashMap<>();
    List<String> names = outputNames(outputs.size());
    for (int i = 0; i < outputs.size(); i++) {
      out.put(names.get(i), outputs.get(i));
    }
    return out;
  }

  /** The manifest's signature: shapes as fixed, or with a dynamic batch axis. */
  Manifest.IoSignature signature(List<HostTensor> trialOutputs) {
    List<Manifest.TensorSpec> ins = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      ins.add(new Manifest.TensorSpec(names.get(i), dtypes.get(i), dims(shapes.get(i))));
    }
    List<Manifest.TensorSpec> outs = new ArrayList<>();
    List<String> outNames = outputNames(trialOutputs.size());
    for (int i = 0; i < trialOutputs.size(); i++) {
      HostTensor t = trialOutputs.get(i);
      outs.add(new Manifest.TensorSpec(outNames.get(i), t.dtype(), dims(t.shape())));
    }
    return new Manifest.IoSignature(ins, outs);
  }

  private List<Long> dims(long[] shape) {
    List<Long> out = new ArrayList<>();
    long batch = shapes.get(0).length > 0 ? shapes.get(0)[0] : -1;
    for (int i = 0; i < shape.length; i++) {
      // Only the leading axis that carries the batch size becomes dynamic.
      out.add(!fixed && i == 0 && shape[0] == batch ? -1L : shape[i]);
    }
    return out;
  }
}
