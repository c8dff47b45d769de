package dev.kiln.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.json.RecordReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The compiler writes manifests, signatures and samples with databind ({@link Json#toBytes}); the
 * agent reads them without it ({@link RecordReader}). Every field must survive that crossing.
 */
class ManifestBindingTest {
  static Manifest everyField() {
    return new Manifest(
        ArtifactFormat.VERSION,
        new Manifest.ModelInfo("cnn", "2.0"),
        new Manifest.SourceInfo("onnx", "cnn.onnx", "ab".repeat(32), 17),
        new Manifest.TargetInfo(
            "jetson-orin-nano",
            "arm64",
            new Manifest.AcceleratorInfo("nvidia-gpu", "8.7", "12.2", "8.6")),
        new Manifest.EngineInfo(
            "onnxruntime",
            "1.21.1",
            List.of("CUDAExecutionProvider", "CPUExecutionProvider"),
            2,
            Map.of("session.intra_op_threads", "2", "graph_optimization_level", "ORT_ENABLE_ALL"),
            List.of("libcudart.so.12")),
        new Manifest.Payload("model.onnx", "onnx", 123_456_789_012L, "cd".repeat(32)),
        new Manifest.IoSignature(
            List.of(new Manifest.TensorSpec("input", "float32", List.of(-1L, 3L, 32L, 32L))),
            List.of(new Manifest.TensorSpec("logits", "float32", List.of(-1L, 10L)))),
        List.of(
            new Manifest.PassRecord("fold-constants", true, 40, 31, "folded 9 nodes"),
            new Manifest.PassRecord("fuse-conv-bn", false, 31, 31, null)),
        new Manifest.Verification(
            true,
            "onnxruntime-cpu",
            8,
            1.5e-7,
            2.25e-6,
            1e-4,
            "logits",
            "sample.json",
            "ef".repeat(32)),
        new Manifest.Benchmark(
            "x86_64, 2 cores",
            300,
            new Manifest.Timing(12.5, 0.81, 0.97),
            new Manifest.Timing(9.25, 0.4, 0.52)),
        new Manifest.Sizes(98_765, 54_321),
        new Manifest.CompilerInfo("kiln", "0.1.0"),
        new Manifest.Quantization(
            "int8",
            "int8 static QDQ, U8S8",
            "uint8",
            "int8 per-channel",
            "static-qdq",
            "percentile",
            "VNNI on this target",
            40,
            20,
            "onnxruntime-cpu",
            new Manifest.Gate(true, 0.995, 38.5, 0.012, 0.3, 0.99, 30.0, 0.05),
            List.of(new Manifest.OpPrecision("Conv", Map.of("int8", 19, "fp32", 1))),
            List.of(new Manifest.KeptNode("conv_0", "Conv", "first layer, sensitive"))));
  }

  @Test
  void everyManifestField_readsBackAsWritten() throws Exception {
    Manifest written = everyField();
    byte[] bytes = Json.toBytes(written);

    assertThat(ManifestReader.parse(bytes, "test")).isEqualTo(written);
    assertThat(RecordReader.read(bytes, Manifest.class, RecordReader.Mode.LENIENT))
        .isEqualTo(Json.fromBytes(bytes, Manifest.class));
  }

  @Test
  void aManifestWithoutOptionalSections_readsThemAsAbsent() throws Exception {
    Manifest m = everyField();
    Manifest fp32 =
        new Manifest(
            m.formatVersion(),
            m.model(),
            m.source(),
            new Manifest.TargetInfo("generic-x86_64", "x86_64", null),
            m.engine(),
            m.payload(),
            m.signature(),
            m.passes(),
            m.verification(),
            null,
            m.sizes(),
            m.compiler());

    assertThat(ManifestReader.parse(Json.toBytes(fp32), "test")).isEqualTo(fp32);
  }

  @Test
  void fieldsANewerCompilerAdds_areIgnored() {
    String json =
        new String(Json.toBytes(everyField()), StandardCharsets.UTF_8)
            .replaceFirst("\\{", "{\n  \"laterSection\" : {\"x\": [1, 2]},");

    assertThat(ManifestReader.parse(json.getBytes(StandardCharsets.UTF_8), "test"))
        .isEqualTo(everyField());
  }

  @Test
  void aFieldOfTheWrongType_isRefusedNamingIt() {
    String json =
        new String(Json.toBytes(everyField()), StandardCharsets.UTF_8)
            .replace("\"bytes\" : 123456789012", "\"bytes\" : [1]");

    assertThatThrownBy(() -> ManifestReader.parse(json.getBytes(StandardCharsets.UTF_8), "a.kiln"))
        .isInstanceOfSatisfying(
            ArtifactException.class,
            e -> assertThat(e.code()).isEqualTo(ArtifactErrorCode.INVALID_MANIFEST))
        .hasMessageContaining(
            "manifest.json in a.kiln does not fit the artifact format at payload.bytes");
  }

  @Test
  void mangledManifests_areReadOrRefusedAsInvalid_neverAnotherError() {
    byte[] good = Json.toBytes(everyField());
    Random random = new Random(13);
    int refused = 0;
    for (int i = 0; i < 3_000; i++) {
      byte[] bad = mangle(good, random);
      try {
        ManifestReader.parse(bad, "fuzz");
      } catch (ArtifactException e) {
        assertThat(e.code())
            .isIn(
                ArtifactErrorCode.INVALID_MANIFEST,
                ArtifactErrorCode.UNSUPPORTED_FORMAT_VERSION,
                ArtifactErrorCode.UNSAFE_ENTRY);
        refused++;
      }
    }
    // Most mangled files must be refused, or the mangling tested nothing.
    assertThat(refused).isGreaterThan(1_500);
  }

  @Test
  void deeplyNestedJson_isRefusedAsInvalid_notAStackOverflow() {
    String json =
        new String(Json.toBytes(everyField()), StandardCharsets.UTF_8)
            .replaceFirst(
                "\\{", "{\n  \"later\" : " + "[".repeat(50_000) + "]".repeat(50_000) + ",");

    assertThatThrownBy(() -> ManifestReader.parse(json.getBytes(StandardCharsets.UTF_8), "deep"))
        .isInstanceOfSatisfying(
            ArtifactException.class,
            e -> assertThat(e.code()).isEqualTo(ArtifactErrorCode.INVALID_MANIFEST))
        .hasMessageContaining("nesting depth");
  }

  /** One to four random edits: a byte replaced by a JSON-significant one, removed, or repeated. */
  private static byte[] mangle(byte[] good, Random random) {
    byte[] out = good.clone();
    byte[] significant = "{}[]\",:0-9.etnuf ".getBytes(StandardCharsets.UTF_8);
    for (int edits = 1 + random.nextInt(4); edits > 0; edits--) {
      int at = random.nextInt(out.length);
      switch (random.nextInt(3)) {
        case 0 -> out[at] = significant[random.nextInt(significant.length)];
        case 1 -> {
          byte[] shorter = new byte[out.length - 1];
          System.arraycopy(out, 0, shorter, 0, at);
          System.arraycopy(out, at + 1, shorter, at, out.length - at - 1);
          out = shorter;
        }
        default -> {
          byte[] longer = new byte[out.length + 1];
          System.arraycopy(out, 0, longer, 0, at + 1);
          System.arraycopy(out, at, longer, at + 1, out.length - at);
          out = longer;
        }
      }
    }
    return out;
  }

  @Test
  void signatureAndSample_readBackAsWritten() throws Exception {
    ManifestSignature sig = new ManifestSignature("Ed25519", "k1", "c2lnbmF0dXJl");
    VerificationSample sample =
        new VerificationSample(
            Map.of("x", TensorData.ofFloats(List.of(1L, 2L), new float[] {1f, -2.5f})),
            Map.of("y", TensorData.ofLongs(List.of(1L), new long[] {7L})),
            1e-4);

    assertThat(
            RecordReader.read(
                Json.toBytes(sig), ManifestSignature.class, RecordReader.Mode.LENIENT))
        .isEqualTo(sig);
    assertThat(
            RecordReader.read(
                Json.toBytes(sample), VerificationSample.class, RecordReader.Mode.LENIENT))
        .isEqualTo(sample);
  }
}
