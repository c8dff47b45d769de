package dev.kiln.compiler.ir;

import dev.kiln.compiler.ir.proto.GraphProto;
import dev.kiln.compiler.ir.proto.GraphProtoOrBuilder;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.ModelProtoOrBuilder;
import dev.kiln.compiler.ir.proto.TensorShapeProto;
import dev.kiln.compiler.ir.proto.TensorShapeProto.Dimension;
import dev.kiln.compiler.ir.proto.TypeProto;
import dev.kiln.compiler.ir.proto.ValueInfoProto;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Fixes the dynamic dimensions of graph inputs to concrete sizes, so ONNX Runtime can plan memory
 * once and the artifact records exactly what the device will be fed.
 *
 * <p>A symbolic dimension ({@code dim_param}) names the same size wherever it appears, so fixing
 * {@code batch} on one input fixes it on every input and output that uses {@code batch}.
 * Intermediate {@code value_info} entries that still hold symbolic dimensions are stripped of their
 * shape (the element type stays): ONNX Runtime re-infers them from the now-static inputs.
 */
public final class ShapeSpecializer {
  /**
   * @param inputShapes every graph input (not backed by an initializer) with its shape after
   *     specialization; {@code -1} marks a dimension that is still dynamic
   * @param valueInfoCleared value_info entries whose stale shape was removed
   */
  public record Result(Map<String, long[]> inputShapes, int valueInfoCleared) {}

  private ShapeSpecializer() {}

  public static Result apply(ModelProto.Builder model, Map<String, long[]> shapes) {
    GraphProto.Builder graph = model.getGraphBuilder();
    Map<String, Integer> inputs = realInputs(graph);
    Map<String, Long> bindings = new HashMap<>();
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      String name = e.getKey();
      Integer index = inputs.get(name);
      if (index == null) {
        throw new IrException(
            IrErrorCode.BAD_INPUT_SHAPE,
            "the shape for '"
                + name
                + "' names no model input; the inputs are: "
                + String.join(", ", describeInputs(model).values()));
      }
      ValueInfoProto.Builder vi = graph.getInputBuilder(index);
      specialize(vi, e.getValue(), bindings);
    }
    // Bound symbols fix the same dimension on inputs and outputs the caller did not name.
    for (int i = 0; i < graph.getInputCount(); i++) {
      substitute(graph.getInputBuilder(i), bindings);
    }
    for (int i = 0; i < graph.getOutputCount(); i++) {
      substitute(graph.getOutputBuilder(i), bindings);
    }
    int cleared = clearDynamicValueInfo(graph);
    Map<String, long[]> result = new LinkedHashMap<>();
    for (String name : inputs.keySet()) {
      result.put(name, dims(graph.getInput(inputs.get(name))));
    }
    return new Result(result, cleared);
  }

  /** Each real input as {@code name: float32 [batch,3,32,32]}, in graph order. */
  public static Map<String, String> describeInputs(ModelProtoOrBuilder model) {
    Map<String, String> out = new LinkedHashMap<>();
    GraphProtoOrBuilder graph = model.getGraph();
    for (int index : realInputs(graph).values()) {
      ValueInfoProto vi = graph.getInput(index);
      out.put(vi.getName(), vi.getName() + ": " + describe(vi));
    }
    return out;
  }

  /** One dimension of an input: {@code size} -1 when dynamic, {@code name} its dim_param or "". */
  public record Dim(long size, String name) {
    public boolean dynamic() {
      return size < 0;
    }
  }

  /**
   * Each real input's dimensions in graph order; inputs without shape information are left out
   * (their rank is unknown, so nothing can be said about their dims).
   */
  public static Map<String, List<Dim>> inputDims(ModelProtoOrBuilder model) {
    GraphProtoOrBuilder graph = model.getGraph();
    Map<String, List<Dim>> out = new LinkedHashMap<>();
    for (int index : realInputs(graph).values()) {
      ValueInfoProto vi = graph.getInput(index);
      if (!vi.getType().hasTensorType() || !vi.getType().getTensorType().hasShape()) {
        continue;
      }
      out.put(
          vi.getName(),
          vi.getType().getTensorType().getShape().getDimList().stream()
              .map(
                  d ->
                      d.hasDimValue() && d.getDimValue() > 0
                          ? new Dim(d.getDimValue(), "")
                          : new Dim(-1, d.getDimParam()))
              .toList());
    }
    return out;
  }

  /** Names of real inputs that still have a symbolic or unknown dimension (or no shape). */
  public static List<String> dynamicInputs(ModelProtoOrBuilder model) {
    GraphProtoOrBuilder graph = model.getGraph();
    return realInputs(graph).values().stream()
        .map(graph::getInput)
        .filter(vi -> !isStatic(vi))
        .map(ValueInfoProto::getName)
        .toList();
  }

  private static void specialize(
      ValueInfoProto.Builder vi, long[] want, Map<String, Long> bindings) {
    String name = vi.getName();
    if (!vi.getType().hasTensorType()) {
      throw new IrException(
          IrErrorCode.BAD_INPUT_SHAPE,
          "input '" + name + "' is not a tensor, so it has no shape to fix; drop it from --shape");
    }
    for (int d = 0; d < want.length; d++) {
      if (want[d] <= 0) {
        throw new IrException(
            IrErrorCode.BAD_INPUT_SHAPE,
            "input '"
                + name
                + "': dimension "
                + d
                + " is "
                + want[d]
                + "; every dimension must be at least 1");
      }
    }
    TypeProto.Tensor.Builder tensor = vi.getTypeBuilder().getTensorTypeBuilder();
    if (!tensor.hasShape()) {
      TensorShapeProto.Builder shape = tensor.getShapeBuilder();
      for (long d : want) {
        shape.addDim(Dimension.newBuilder().setDimValue(d));
      }
      return;
    }
    String expected = name + ": " + describe(vi.build());
    TensorShapeProto.Builder shape = tensor.getShapeBuilder();
    if (shape.getDimCount() != want.length) {
      throw new IrException(
          IrErrorCode.BAD_INPUT_SHAPE,
          "input '"
              + name
              + "' has rank "
              + shape.getDimCount()
              + " ("
              + expected
              + ") but the given shape "
              + InputShapes.format(want)
              + " has rank "
              + want.length);
    }
    for (int d = 0; d < want.length; d++) {
      Dimension.Builder dim = shape.getDimBuilder(d);
      if (dim.hasDimValue() && dim.getDimValue() > 0 && dim.getDimValue() != want[d]) {
        throw new IrException(
            IrErrorCode.BAD_INPUT_SHAPE,
            "input '"
                + name
                + "': dimension "
                + d
                + " is fixed to "
                + dim.getDimValue()
                + " in the model ("
                + expected
                + ") but the given shape "
                + InputShapes.format(want)
                + " says "
                + want[d]);
      }
      if (dim.hasDimParam()) {
        Long bound = bindings.putIfAbsent(dim.getDimParam(), want[d]);
        if (bound != null && bound != want[d]) {
          throw new IrException(
              IrErrorCode.BAD_INPUT_SHAPE,
              "dimension '"
                  + dim.getDimParam()
                  + "' is set to both "
                  + bound
                  + " and "
                  + want[d]
                  + " (input '"
                  + name
                  + "'); inputs that share a named dimension need the same size");
        }
      }
      dim.setDimValue(want[d]);
    }
  }

  private static void substitute(ValueInfoProto.Builder vi, Map<String, Long> bindings) {
    if (!vi.getType().hasTensorType() || !vi.getType().getTensorType().hasShape()) {
      return;
    }
    TensorShapeProto.Builder shape = vi.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
    for (int d = 0; d < shape.getDimCount(); d++) {
      Dimension.Builder dim = shape.getDimBuilder(d);
      if (dim.hasDimParam() && bindings.containsKey(dim.getDimParam())) {
        dim.setDimValue(bindings.get(dim.getDimParam()));
      }
    }
  }

  private static int clearDynamicValueInfo(GraphProto.Builder graph) {
    int cleared = 0;
    for (int i = 0; i < graph.getValueInfoCount(); i++) {
      ValueInfoProto vi = graph.getValueInfo(i);
      if (vi.getType().hasTensorType()
          && vi.getType().getTensorType().hasShape()
          && !isStatic(vi)) {
        graph.getValueInfoBuilder(i).getTypeBuilder().getTensorTypeBuilder().clearShape();
        cleared++;
      }
    }
    return cleared;
  }

  private static boolean isStatic(ValueInfoProto vi) {
    if (!vi.getType().hasTensorType() || !vi.getType().getTensorType().hasShape()) {
      return false;
    }
    for (Dimension dim : vi.getType().getTensorType().getShape().getDimList()) {
      if (!dim.hasDimValue() || dim.getDimValue() <= 0) {
        return false;
      }
    }
    return true;
  }

  private static long[] dims(ValueInfoProto vi) {
    if (!vi.getType().hasTensorType() || !vi.getType().getTensorType().hasShape()) {
      return new long[0];
    }
    return vi.getType().getTensorType().getShape().getDimList().stream()
        .mapToLong(d -> d.hasDimValue() && d.getDimValue() > 0 ? d.getDimValue() : -1)
        .toArray();
  }

  /** Inputs in graph order, by name, skipping those backed by an initializer (constants). */
  private static Map<String, Integer> realInputs(GraphProtoOrBuilder graph) {
    Set<String> initializers = new HashSet<>();
    graph.getInitializerList().forEach(t -> initializers.add(t.getName()));
    Map<String, Integer> out = new LinkedHashMap<>();
    for (int i = 0; i < graph.getInputCount(); i++) {
      String name = graph.getInput(i).getName();
      if (!initializers.contains(name)) {
        out.put(name, i);
      }
    }
    return out;
  }

  /** {@code float32 [batch,3,32,32]}; {@code ?} for an unknown dimension. */
  static String describe(ValueInfoProto vi) {
    if (!vi.getType().hasTensorType()) {
      return "non-tensor";
    }
    TypeProto.Tensor t = vi.getType().getTensorType();
    String type = ElementTypes.name(t.getElemType());
    if (!t.hasShape()) {
      return type + " [shape unknown]";
    }
    StringJoiner j = new StringJoiner(",", "[", "]");
    for (Dimension d : t.getShape().getDimList()) {
      j.add(
          d.hasDimValue()
              ? Long.toString(d.getDimValue())
              : d.hasDimParam() ? d.getDimParam() : "?");
    }
    return type + " " + j;
  }
}
