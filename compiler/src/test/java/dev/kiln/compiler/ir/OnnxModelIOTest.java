package dev.kiln.compiler.ir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.compiler.ir.proto.ModelProto;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxModelIOTest {
  @TempDir Path dir;

  private static ModelProto addModel() {
    return TestGraphs.model(17)
        .input("x", 2, 3)
        .floats("b", new long[] {3}, 1f, 2f, 3f)
        .node("Add", List.of("x", "b"), List.of("y"))
        .output("y")
        .build();
  }

  @Test
  void write_thenRead_returnsSameModel() {
    Path file = dir.resolve("out/model.onnx");
    OnnxModelIO.write(addModel(), file);
    assertThat(OnnxModelIO.read(file)).isEqualTo(addModel());
    try (var listing = Files.list(file.getParent())) {
      assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("model.onnx");
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void read_fails_whenFileMissing() {
    assertThatThrownBy(() -> OnnxModelIO.read(dir.resolve("nope.onnx")))
        .isInstanceOfSatisfying(
            IrException.class, e -> assertThat(e.code()).isEqualTo(IrErrorCode.NOT_FOUND))
        .hasMessageContaining("nope.onnx")
        .hasMessageContaining("does not exist");
  }

  @Test
  void read_fails_whenPathIsDirectory() {
    assertThatThrownBy(() -> OnnxModelIO.read(dir))
        .isInstanceOfSatisfying(
            IrException.class, e -> assertThat(e.code()).isEqualTo(IrErrorCode.NOT_FOUND));
  }

  @Test
  void read_fails_whenFileEmpty() throws Exception {
    Path file = Files.write(dir.resolve("empty.onnx"), new byte[0]);
    assertThatThrownBy(() -> OnnxModelIO.read(file))
        .isInstanceOfSatisfying(
            IrException.class, e -> assertThat(e.code()).isEqualTo(IrErrorCode.NOT_ONNX))
        .hasMessageContaining("is empty");
  }

  @Test
  void read_fails_withExportHint_whenFileIsText() throws Exception {
    Path file =
        Files.writeString(dir.resolve("x.onnx"), "hello, this is a README and not a model\n");
    assertThatThrownBy(() -> OnnxModelIO.read(file))
        .isInstanceOfSatisfying(
            IrException.class, e -> assertThat(e.code()).isEqualTo(IrErrorCode.NOT_ONNX))
        .hasMessageContaining("x.onnx is not an ONNX model")
        .hasMessageContaining("text file")
        .hasMessageContaining("Export it with torch.onnx.export");
  }

  @Test
  void read_fails_whenFileIsJson() throws Exception {
    Path file = Files.writeString(dir.resolve("m.onnx"), "{\"inputs\": {}}");
    assertThatThrownBy(() -> OnnxModelIO.read(file))
        .isInstanceOfSatisfying(
            IrException.class, e -> assertThat(e.code()).isEqualTo(IrErrorCode.NOT_ONNX));
  }

  @Test
  void read_namesTorchScript_whenFileIsZip() throws Exception {
    byte[] zip = {'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0, 1, 2, 3, 4, 5, 6};
    Path file = Files.write(dir.resolve("model.pt"), zip);
    assertThatThrownBy(() -> OnnxModelIO.read(file))
        .isInstanceOfSatisfying(
            IrException.class, e -> assertThat(e.code()).isEqualTo(IrErrorCode.NOT_ONNX))
        .hasMessageContaining("TorchScript");
  }

  @Test
  void read_fails_whenBinaryGarbageHasNoGraph() throws Exception {
    // A valid protobuf of unknown fields: field 15 varint 1, field 16 varint 2.
    Path file =
        Files.write(dir.resolve("g.onnx"), new byte[] {0x78, 0x01, (byte) 0x80, 0x01, 0x02});
    assertThatThrownBy(() -> OnnxModelIO.read(file))
        .isInstanceOfSatisfying(
            IrException.class, e -> assertThat(e.code()).isEqualTo(IrErrorCode.NOT_ONNX))
        .hasMessageContaining("neither a graph nor an opset_import");
  }

  @Test
  void read_fails_whenTruncated() throws Exception {
    byte[] full = addModel().toByteArray();
    Path file = Files.write(dir.resolve("cut.onnx"), Arrays.copyOf(full, full.length - 7));
    assertThatThrownBy(() -> OnnxModelIO.read(file))
        .isInstanceOfSatisfying(
            IrException.class, e -> assertThat(e.code()).isEqualTo(IrErrorCode.TRUNCATED))
        .hasMessageContaining("truncated");
  }

  @Test
  void read_fails_whenModelHasNoGraph() throws Exception {
    ModelProto noGraph = addModel().toBuilder().clearGraph().build();
    Path file = Files.write(dir.resolve("nograph.onnx"), noGraph.toByteArray());
    assertThatThrownBy(() -> OnnxModelIO.read(file))
        .isInstanceOfSatisfying(
            IrException.class, e -> assertThat(e.code()).isEqualTo(IrErrorCode.EMPTY_GRAPH))
        .hasMessageContaining("without a graph");
  }

  @Test
  void read_rejectsBadTextSample_whenPresent() {
    Path sample =
        Path.of(System.getProperty("kiln.repo.root", ".."))
            .resolve("samples/models/bad/not_a_model.onnx");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(sample), "sample not generated");
    assertThatThrownBy(() -> OnnxModelIO.read(sample))
        .isInstanceOfSatisfying(
            IrException.class, e -> assertThat(e.code()).isEqualTo(IrErrorCode.NOT_ONNX))
        .hasMessageContaining("not_a_model.onnx is not an ONNX model");
  }

  @Test
  void parse_acceptsRealModel() {
    byte[] bytes = addModel().toByteArray();
    assertThat(OnnxModelIO.parse(bytes, "mem").getGraph().getNodeCount()).isEqualTo(1);
    assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).contains("Add");
  }
}
