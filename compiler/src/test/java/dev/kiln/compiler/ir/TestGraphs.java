package dev.kiln.compiler.ir;

import dev.kiln.compiler.ir.proto.AttributeProto;
import dev.kiln.compiler.ir.proto.GraphProto;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.NodeProto;
import dev.kiln.compiler.ir.proto.OperatorSetIdProto;
import dev.kiln.compiler.ir.proto.TensorProto;
import dev.kiln.compiler.ir.proto.TensorShapeProto;
import dev.kiln.compiler.ir.proto.TypeProto;
import dev.kiln.compiler.ir.proto.ValueInfoProto;
import java.util.List;
import java.util.Random;

/** Builds small ONNX models in Java for tests. */
public final class TestGraphs {
  private final ModelProto.Builder model;
  private final GraphProto.Builder graph;
  private int nodeCounter;

  private TestGraphs(long opset) {
    model =
        ModelProto.newBuilder()
            .setIrVersion(8)
            .setProducerName("kiln-test")
            .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset));
    graph = model.getGraphBuilder().setName("test");
  }

  public static TestGraphs model(long opset) {
    return new TestGraphs(opset);
  }

  /** A float input; a negative dim becomes a symbolic one named {@code d<index>}. */
  public TestGraphs input(String name, long... dims) {
    graph.addInput(tensorInfo(name, TensorProto.DataType.FLOAT_VALUE, dims));
    return this;
  }

  /** A float input with named symbolic dims: each entry is a Long or a String. */
  public TestGraphs symbolicInput(String name, Object... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (Object d : dims) {
      TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
      if (d instanceof String s) {
        dim.setDimParam(s);
      } else {
        dim.setDimValue(((Number) d).longValue());
      }
      shape.addDim(dim);
    }
    graph.addInput(
        ValueInfoProto.newBuilder()
            .setName(name)
            .setType(
                TypeProto.newBuilder()
                    .setTensorType(
                        TypeProto.Tensor.newBuilder()
                            .setElemType(TensorProto.DataType.FLOAT_VALUE)
                            .setShape(shape))));
    return this;
  }

  /** A float output with unknown shape. */
  public TestGraphs output(String name) {
    return output(name, TensorProto.DataType.FLOAT_VALUE);
  }

  public TestGraphs output(String name, int elemType) {
    graph.addOutput(
        ValueInfoProto.newBuilder()
            .setName(name)
            .setType(
                TypeProto.newBuilder()
                    .setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType))));
    return this;
  }

  public TestGraphs valueInfo(String name, long... dims) {
    graph.addValueInfo(tensorInfo(name, TensorProto.DataType.FLOAT_VALUE, dims));
    return this;
  }

  public TestGraphs init(TensorProto tensor) {
    graph.addInitializer(tensor);
    return this;
  }

  public TestGraphs floats(String name, long[] dims, float... values) {
    return init(Tensors.ofFloats(name, dims, values));
  }

  public TestGraphs longs(String name, long[] dims, long... values) {
    return init(Tensors.ofLongs(name, dims, values));
  }

  /** A float initializer with seeded values in [-1, 1) (or [0.5, 1.5) when positive). */
  public TestGraphs random(String name, long seed, boolean positive, long... dims) {
    Random rnd = new Random(seed);
    float[] v = new float[(int) Tensors.elementCount(dims)];
    for (int i = 0; i < v.length; i++) {
      v[i] = positive ? 0.5f + rnd.nextFloat() : rnd.nextFloat() * 2 - 1;
    }
    return floats(name, dims, v);
  }

  public TestGraphs node(
      String op, List<String> inputs, List<String> outputs, AttributeProto... attrs) {
    return node(op, "", inputs, outputs, attrs);
  }

  public TestGraphs node(
      String op,
      String domain,
      List<String> inputs,
      List<String> outputs,
      AttributeProto... attrs) {
    graph.addNode(
        NodeProto.newBuilder()
            .setOpType(op)
            .setDomain(domain)
            .setName(op.toLowerCase() + "_" + nodeCounter++)
            .addAllInput(inputs)
            .addAllOutput(outputs)
            .addAllAttribute(List.of(attrs)));
    return this;
  }

  public TestGraphs opset(String domain, long version) {
    model.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(domain).setVersion(version));
    return this;
  }

  public ModelProto build() {
    return model.build();
  }

  public ModelProto.Builder builder() {
    return model.build().toBuilder();
  }

  public static AttributeProto attr(String name, long value) {
    return AttributeProto.newBuilder()
        .setName(name)
        .setType(AttributeProto.AttributeType.INT)
        .setI(value)
        .build();
  }

  public static AttributeProto attr(String name, float value) {
    return AttributeProto.newBuilder()
        .setName(name)
        .setType(AttributeProto.AttributeType.FLOAT)
        .setF(value)
        .build();
  }

  public static AttributeProto ints(String name, long... values) {
    AttributeProto.Builder a =
        AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    for (long v : values) {
      a.addInts(v);
    }
    return a.build();
  }

  public static AttributeProto tensor(String name, TensorProto t) {
    return AttributeProto.newBuilder()
        .setName(name)
        .setType(AttributeProto.AttributeType.TENSOR)
        .setT(t)
        .build();
  }

  public static AttributeProto graph(String name, GraphProto g) {
    return AttributeProto.newBuilder()
        .setName(name)
        .setType(AttributeProto.AttributeType.GRAPH)
        .setG(g)
        .build();
  }

  /** Op types of the top-level nodes, in order. */
  public static List<String> ops(ModelProto.Builder m) {
    return m.getGraph().getNodeList().stream().map(NodeProto::getOpType).toList();
  }

  public static List<String> ops(ModelProto m) {
    return ops(m.toBuilder());
  }

  public static ValueInfoProto tensorInfo(String name, int elemType, long... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (int i = 0; i < dims.length; i++) {
      TensorShapeProto.Dimension.Builder d = TensorShapeProto.Dimension.newBuilder();
      if (dims[i] < 0) {
        d.setDimParam("d" + i);
      } else {
        d.setDimValue(dims[i]);
      }
      shape.addDim(d);
    }
    return ValueInfoProto.newBuilder()
        .setName(name)
        .setType(
            TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape)))
        .build();
  }
}
