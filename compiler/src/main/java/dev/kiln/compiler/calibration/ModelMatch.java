package dev.kiln.compiler.calibration;

import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.ort.HostTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@link CalibrationSet#forModel}: names, the sample axis of arrays, dtypes and fixed dims. */
final class ModelMatch {
  private ModelMatch() {}

  static CalibrationSet apply(CalibrationSet set, List<ModelInput> inputs) {
    List<String> names = inputs.stream().map(ModelInput::name).toList();
    List<Sample> out = new ArrayList<>();
    for (Sample sample : set.rawSamples()) {
      Sample named = named(sample, names);
      for (Sample one : unstacked(named, inputs)) {
        out.add(checked(one, inputs));
      }
    }
    if (out.isEmpty()) {
      throw Refusal.of(
          set.source(),
          "it holds no samples: its arrays' sample axis has length 0",
          "Give at least one sample");
    }
    return new CalibrationSet(set.source(), out, set.notes());
  }

  /** In the model's input order; a lone .npy is the one input of a one-input model. */
  private static Sample named(Sample s, List<String> names) {
    Map<String, HostTensor> inputs = s.inputs();
    Map<String, ElementType> types = s.types();
    if (s.unnamed()) {
      if (names.size() != 1) {
        throw Refusal.of(
            s.origin(),
            "a .npy file holds one array, but the model has inputs " + names,
            "Save an .npz with one array per input: np.savez(path, "
                + String.join("=..., ", names)
                + "=...)");
      }
      HostTensor only = inputs.values().iterator().next();
      ElementType type = types.values().iterator().next();
      inputs = Map.of(names.get(0), only);
      types = Map.of(names.get(0), type);
    }
    Map<String, HostTensor> given = inputs;
    List<String> missing = names.stream().filter(n -> !given.containsKey(n)).toList();
    List<String> extra = given.keySet().stream().filter(n -> !names.contains(n)).toList();
    if (!missing.isEmpty() || !extra.isEmpty()) {
      throw Refusal.of(
          s.origin(),
          "it has inputs "
              + inputs.keySet()
              + " but the model takes "
              + names
              + (missing.isEmpty() ? "" : "; missing " + missing)
              + (extra.isEmpty() ? "" : "; not inputs of the model: " + extra),
          "Name the tensors after the model's inputs");
    }
    Map<String, HostTensor> ordered = new LinkedHashMap<>();
    Map<String, ElementType> orderedTypes = new LinkedHashMap<>();
    for (String n : names) {
      ordered.put(n, inputs.get(n));
      orderedTypes.put(n, types.get(n));
    }
    return new Sample(s.origin(), ordered, s.outputs(), orderedTypes, s.arrays(), false);
  }

  /** Arrays one rank above the model's inputs hold samples along axis 0. */
  private static List<Sample> unstacked(Sample s, List<ModelInput> inputs) {
    if (!s.arrays() || inputs.stream().anyMatch(i -> i.dims() == null)) {
      return List.of(s);
    }
    int stacked = 0;
    long count = -1;
    for (ModelInput in : inputs) {
      long[] shape = s.inputs().get(in.name()).shape();
      if (shape.length == in.dims().length + 1) {
        stacked++;
        if (count >= 0 && shape[0] != count) {
          throw Refusal.of(
              s.origin(),
              "its arrays hold different numbers of samples along their first axis ("
                  + count
                  + " and "
                  + shape[0]
                  + " for '"
                  + in.name()
                  + "')",
              "Give every input the same number of samples");
        }
        count = shape[0];
      } else if (shape.length != in.dims().length) {
        throw rank(s, in, shape);
      }
    }
    if (stacked == 0) {
      return List.of(s);
    }
    if (stacked != inputs.size()) {
      throw Refusal.of(
          s.origin(),
          "some arrays carry a sample axis and some do not",
          "Give every input rank+1 arrays (samples along axis 0), or every input one sample");
    }
    List<Sample> out = new ArrayList<>();
    for (int k = 0; k < count; k++) {
      Map<String, HostTensor> one = new LinkedHashMap<>();
      for (Map.Entry<String, HostTensor> e : s.inputs().entrySet()) {
        one.put(e.getKey(), slice(e.getValue(), k));
      }
      out.add(new Sample(s.origin() + "[" + k + "]", one, Map.of(), s.types(), true, false));
    }
    return out;
  }

  private static HostTensor slice(HostTensor t, int k) {
    long[] shape = java.util.Arrays.copyOfRange(t.shape(), 1, t.shape().length);
    int size = t.size() / (int) t.shape()[0];
    if (t.values() instanceof float[] f) {
      return HostTensor.ofFloats(shape, java.util.Arrays.copyOfRange(f, k * size, (k + 1) * size));
    }
    long[] l = (long[]) t.values();
    return HostTensor.ofLongs(shape, java.util.Arrays.copyOfRange(l, k * size, (k + 1) * size));
  }

  private static Sample checked(Sample s, List<ModelInput> inputs) {
    for (ModelInput in : inputs) {
      HostTensor t = s.inputs().get(in.name());
      ElementType type = s.types().get(in.name());
      if (in.dtype() != null) {
        checkDtype(s, in, type);
      }
      if (in.dims() == null) {
        continue;
      }
      if (t.shape().length != in.dims().length) {
        throw rank(s, in, t.shape());
      }
      for (int d = 0; d < in.dims().length; d++) {
        if (in.dims()[d] >= 0 && in.dims()[d] != t.shape()[d]) {
          throw Refusal.of(
              s.origin(),
              "input '"
                  + in.name()
                  + "' has shape "
                  + Shapes.format(t.shape())
                  + " but the model fixes dim "
                  + d
                  + " to "
                  + in.dims()[d]
                  + " (model shape "
                  + declared(in.dims())
                  + ")",
              "Give tensors of the model's shape (dims shown as ? are free)");
        }
      }
    }
    return s;
  }

  private static void checkDtype(Sample s, ModelInput in, ElementType type) {
    boolean floatInput = in.dtype().equals("float32");
    boolean intInput = in.dtype().equals("int64");
    if (!floatInput && !intInput) {
      throw new CompileException(
          CompileErrorCode.UNSUPPORTED_MODEL,
          "input '"
              + in.name()
              + "' has type "
              + in.dtype()
              + "; Kiln verifies float32 and int64 inputs only");
    }
    if (floatInput && !type.floating) {
      throw Refusal.of(
          s.origin(),
          "input '" + in.name() + "' is " + type.numpyName + " but the model takes float32",
          "Convert it the way the model was trained, e.g. x.astype('float32') / 255 for pixels,"
              + " or write dtype float32 if the numbers are already right");
    }
    if (intInput && type.floating) {
      throw Refusal.of(
          s.origin(),
          "input '" + in.name() + "' is " + type.numpyName + " but the model takes int64",
          "Give whole numbers with dtype int64");
    }
  }

  private static CompileException rank(Sample s, ModelInput in, long[] shape) {
    return Refusal.of(
        s.origin(),
        "input '"
            + in.name()
            + "' has shape "
            + Shapes.format(shape)
            + " (rank "
            + shape.length
            + ") but the model's input is "
            + declared(in.dims())
            + " (rank "
            + in.dims().length
            + ")",
        s.arrays()
            ? "Give arrays of the input's rank (one sample) or one more (samples along axis 0)"
            : "Give tensors of the model's rank, batch dim included");
  }

  private static String declared(long[] dims) {
    List<String> parts = new ArrayList<>();
    for (long d : dims) {
      parts.add(d < 0 ? "?" : Long.toString(d));
    }
    return dims.length == 0 ? "scalar" : String.join("x", parts);
  }
}
