package dev.kiln.compiler.ir;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnknownFieldSet;
import dev.kiln.compiler.ir.proto.FunctionProto;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.NodeProto;
import dev.kiln.compiler.ir.proto.StringStringEntryProto;
import dev.kiln.compiler.ir.proto.TensorProto;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Checks that Kiln's schema reads and writes the ONNX wire format without loss. */
class KilnOnnxSchemaTest {
  static ModelProto richModel() {
    return TestGraphs.model(17)
        .opset("com.microsoft", 1)
        .symbolicInput("x", "batch", 4L)
        .random("w", 1, false, 4, 4)
        .longs("shape", new long[] {2}, -1, 4)
        .node("MatMul", List.of("x", "w"), List.of("m"))
        .node("Reshape", List.of("m", "shape"), List.of("y"))
        .output("y")
        .builder()
        .addMetadataProps(StringStringEntryProto.newBuilder().setKey("k").setValue("v"))
        .addFunctions(
            FunctionProto.newBuilder()
                .setName("F")
                .setDomain("local")
                .addInput("a")
                .addOutput("b")
                .addNode(NodeProto.newBuilder().setOpType("Relu").addInput("a").addOutput("b")))
        .build();
  }

  @Test
  void builtModel_roundTripsByteForByte() throws Exception {
    byte[] bytes = richModel().toByteArray();
    assertThat(ModelProto.parseFrom(bytes).toByteArray()).isEqualTo(bytes);
  }

  @Test
  void onnxRuntime_acceptsModelsSerializedWithKilnSchema() {
    // ORT parses with the real onnx.proto: agreeing outputs prove the field numbers match.
    ModelProto model = fixBatch(richModel().toBuilder().clearFunctions().build());
    var out = OrtRunner.run(model, OrtRunner.randomInputs(model, 3));
    assertThat(out.get("y").shape()).containsExactly(1, 4);
  }

  @Test
  void unknownFields_surviveRoundTrip() throws Exception {
    // A field from a future ONNX release (number 99 on ModelProto) must not be lost.
    ByteArrayOutputStream extra = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(extra);
    out.writeBytes(99, ByteString.copyFromUtf8("future"));
    out.flush();
    byte[] bytes = concat(richModel().toByteArray(), extra.toByteArray());
    ModelProto parsed = ModelProto.parseFrom(bytes);
    UnknownFieldSet unknown = parsed.getUnknownFields();
    assertThat(unknown.hasField(99)).isTrue();
    assertThat(parsed.toByteArray()).isEqualTo(bytes);
  }

  @Test
  void wireTags_matchOnnx() {
    // Spot checks against onnx.proto: ModelProto.graph = 7, opset_import = 8,
    // TensorProto.raw_data = 9, float_data = 4 (packed).
    byte[] model = ModelProto.newBuilder().setIrVersion(8).build().toByteArray();
    assertThat(model).containsExactly(0x08, 0x08);
    TensorProto t = TensorProto.newBuilder().addFloatData(1f).addFloatData(2f).build();
    assertThat(t.toByteArray()[0]).isEqualTo((byte) ((4 << 3) | 2));
    assertThat(
            TensorProto.newBuilder()
                .setRawData(ByteString.copyFrom(new byte[] {1}))
                .build()
                .toByteArray()[0])
        .isEqualTo((byte) ((9 << 3) | 2));
    assertThat(ModelProto.GRAPH_FIELD_NUMBER).isEqualTo(7);
    assertThat(ModelProto.OPSET_IMPORT_FIELD_NUMBER).isEqualTo(8);
    assertThat(ModelProto.FUNCTIONS_FIELD_NUMBER).isEqualTo(25);
  }

  @Test
  void sampleModels_roundTripByteForByte() throws Exception {
    Path samples = Path.of(System.getProperty("kiln.repo.root", "..")).resolve("samples/models");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.isDirectory(samples), "no samples/models directory; nothing to round-trip");
    List<Path> models;
    try (Stream<Path> walk = Files.walk(samples)) {
      // models/bad/ holds deliberately broken files for the error paths.
      models =
          walk.filter(p -> p.toString().endsWith(".onnx"))
              .filter(p -> !samples.relativize(p).startsWith("bad"))
              .toList();
    }
    org.junit.jupiter.api.Assumptions.assumeFalse(models.isEmpty(), "no .onnx files in samples/");
    for (Path p : models) {
      byte[] bytes = Files.readAllBytes(p);
      assertThat(OnnxModelIO.read(p).toByteArray()).as(p.toString()).isEqualTo(bytes);
    }
  }

  private static ModelProto fixBatch(ModelProto model) {
    ModelProto.Builder b = model.toBuilder();
    ShapeSpecializer.apply(b, java.util.Map.of("x", new long[] {1, 4}));
    return b.build();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
