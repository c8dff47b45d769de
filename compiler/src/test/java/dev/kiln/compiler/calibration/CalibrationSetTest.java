package dev.kiln.compiler.calibration;

import static dev.kiln.compiler.calibration.NumpyFiles.floats;
import static dev.kiln.compiler.calibration.NumpyFiles.npy;
import static dev.kiln.compiler.calibration.NumpyFiles.npz;
import static dev.kiln.compiler.calibration.NumpyFiles.range;
import static dev.kiln.compiler.calibration.NumpyFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.ort.HostTensor;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every format the reader takes, and how it reads them; hostile files are in {@link
 * HostileCalibrationFilesTest}.
 */
class CalibrationSetTest {
  @TempDir Path tmp;

  static final List<ModelInput> CNN =
      List.of(new ModelInput("input", "float32", new long[] {-1, 3, 2, 2}));

  private static Path repoSample(String relative) {
    return Path.of(System.getProperty("kiln.repo.root", ".."))
        .resolve("samples/models")
        .resolve(relative);
  }

  static String sampleJson(float first) {
    return "{\"inputs\": {\"input\": {\"dtype\": \"float32\", \"shape\": [1, 3, 2, 2], \"data\": ["
        + first
        + ", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]}}}";
  }

  static float first(Map<String, HostTensor> sample) {
    return ((float[]) sample.get("input").values())[0];
  }

  static AbstractThrowableAssert<?, ? extends Throwable> refused(Runnable read) {
    return assertThatThrownBy(read::run)
        .isInstanceOfSatisfying(
            CompileException.class,
            e -> assertThat(e.code()).isEqualTo(CompileErrorCode.BAD_INPUT));
  }

  @Test
  void referenceJson_isOneSample_withItsOutputs() {
    CalibrationSet set = CalibrationSet.read(repoSample("cnn/cnn.reference.json"));

    assertThat(set.size()).isEqualTo(1);
    assertThat(set.samples().get(0).get("input").shape()).containsExactly(2, 3, 32, 32);
    assertThat(set.expectedOutputs().get(0).get("output").shape()).containsExactly(2, 10);
    assertThat(set.notes()).isEmpty();
  }

  @Test
  void jsonArray_isOneSamplePerElement_inOrder() throws IOException {
    Path file = tmp.resolve("set.json");
    Files.writeString(file, "[" + sampleJson(100) + ",\n" + sampleJson(200) + "]");

    CalibrationSet set = CalibrationSet.read(file).forModel(CNN);

    assertThat(set.samples()).extracting(CalibrationSetTest::first).containsExactly(100f, 200f);
    assertThat(set.origin(1)).endsWith("set.json[1]");
  }

  @Test
  void jsonLines_isOneSamplePerLine_skippingBlankLines() throws IOException {
    Path file = tmp.resolve("set.jsonl");
    Files.writeString(file, sampleJson(1) + "\n\n" + sampleJson(2) + "\n" + sampleJson(3) + "\n");

    CalibrationSet set = CalibrationSet.read(file);

    assertThat(set.samples()).extracting(CalibrationSetTest::first).containsExactly(1f, 2f, 3f);
    assertThat(set.origin(1)).endsWith("set.jsonl:3");
  }

  @Test
  void json_takesNestedLists_base64_captureStyleTensorLists_andWidensIntegers() throws IOException {
    Path file = tmp.resolve("mixed.jsonl");
    Files.writeString(
        file,
        """
        {"inputs": {"x": {"shape": [2, 2], "data": [[1, 2], [3, 4]]}, "ids": {"dtype": "int32", "shape": [2], "data": [7, 8]}}}
        {"inputs": [{"name": "x", "dtype": "float32", "shape": [2, 2], "data": "AACAPwAAAEAAAEBAAACAQA=="}, {"name": "ids", "dtype": "uint8", "shape": [2], "data": "Bwg="}]}
        """);

    CalibrationSet set = CalibrationSet.read(file);

    assertThat((float[]) set.samples().get(0).get("x").values()).containsExactly(1, 2, 3, 4);
    assertThat((float[]) set.samples().get(1).get("x").values()).containsExactly(1, 2, 3, 4);
    assertThat(set.samples().get(0).get("ids").dtype()).isEqualTo("int64");
    assertThat((long[]) set.samples().get(1).get("ids").values()).containsExactly(7, 8);
  }

  @Test
  void float64_isReadAsFloat32_withANote() throws IOException {
    Path file = tmp.resolve("f64.npy");
    write(file, npy("<f8", new long[] {1, 3, 2, 2}, NumpyFiles.doubles(new double[12])));

    CalibrationSet set = CalibrationSet.read(file).forModel(CNN);

    assertThat(set.samples().get(0).get("input").dtype()).isEqualTo("float32");
    assertThat(set.notes()).anySatisfy(n -> assertThat(n).contains("float64", "float32"));
  }

  @Test
  void npy_ofTheInputsRank_isOneSample_namedAfterTheModelsOnlyInput() throws IOException {
    Path file =
        write(tmp.resolve("anything.npy"), npy("<f4", new long[] {2, 3, 2, 2}, floats(range(24))));

    CalibrationSet set = CalibrationSet.read(file).forModel(CNN);

    assertThat(set.size()).isEqualTo(1);
    assertThat(set.samples().get(0).get("input").shape()).containsExactly(2, 3, 2, 2);
  }

  @Test
  void npy_oneRankAboveTheInput_holdsSamplesAlongItsFirstAxis() throws IOException {
    Path file =
        write(tmp.resolve("x.npy"), npy("<f4", new long[] {3, 1, 3, 2, 2}, floats(range(36))));

    CalibrationSet set = CalibrationSet.read(file).forModel(CNN);

    assertThat(set.size()).isEqualTo(3);
    assertThat(set.samples().get(2).get("input").shape()).containsExactly(1, 3, 2, 2);
    assertThat(set.samples()).extracting(CalibrationSetTest::first).containsExactly(0f, 12f, 24f);
    assertThat(set.origin(2)).endsWith("x.npy[2]");
  }

  @Test
  void npy_bigEndian_isRead() throws IOException {
    Path file =
        write(
            tmp.resolve("be.npy"),
            npy(">f4", new long[] {1, 3, 2, 2}, floats(ByteOrder.BIG_ENDIAN, range(12))));

    CalibrationSet set = CalibrationSet.read(file).forModel(CNN);

    assertThat((float[]) set.samples().get(0).get("input").values()).containsExactly(range(12));
  }

  @Test
  void npz_namesArraysByInput_andSplitsTheSampleAxisAcrossThemAll() throws IOException {
    Map<String, byte[]> arrays = new LinkedHashMap<>();
    arrays.put("mask.npy", npy("|b1", new long[] {2, 1, 2}, new byte[] {1, 0, 0, 1}));
    arrays.put("image.npy", npy("<f4", new long[] {2, 1, 2}, floats(1, 2, 3, 4)));
    Path file = npz(tmp.resolve("set.npz"), arrays);
    List<ModelInput> model =
        List.of(
            new ModelInput("image", "float32", new long[] {-1, 2}),
            new ModelInput("mask", "int64", new long[] {-1, 2}));

    CalibrationSet set = CalibrationSet.read(file).forModel(model);

    assertThat(set.size()).isEqualTo(2);
    assertThat(set.samples().get(1).keySet()).containsExactly("image", "mask");
    assertThat((float[]) set.samples().get(1).get("image").values()).containsExactly(3, 4);
    assertThat((long[]) set.samples().get(1).get("mask").values()).containsExactly(0, 1);
  }

  @Test
  void folder_readsEveryFormat_inNameOrder_andNotesWhatItSkipped() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("data"));
    Files.writeString(dir.resolve("b.json"), sampleJson(2));
    Files.writeString(dir.resolve("a.jsonl"), sampleJson(1) + "\n");
    write(dir.resolve("c.npy"), npy("<f4", new long[] {1, 3, 2, 2}, floats(range(12))));
    Files.writeString(dir.resolve("notes.txt"), "hello");
    Files.writeString(dir.resolve(".hidden.json"), "not json");

    CalibrationSet set = CalibrationSet.read(dir).forModel(CNN);

    assertThat(set.samples()).extracting(CalibrationSetTest::first).containsExactly(1f, 2f, 0f);
    assertThat(set.notes()).singleElement().asString().contains("notes.txt");
  }

  @Test
  void split_holdsOutEveryFifthSample_deterministically() throws IOException {
    Path file = tmp.resolve("twelve.jsonl");
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 12; i++) {
      lines.append(sampleJson(i)).append('\n');
    }
    Files.writeString(file, lines);

    CalibrationSet.Split split = CalibrationSet.read(file).split();

    assertThat(split.heldOut()).extracting(CalibrationSetTest::first).containsExactly(4f, 9f);
    assertThat(split.calibrate())
        .hasSize(10)
        .extracting(CalibrationSetTest::first)
        .doesNotContain(4f, 9f);
    assertThat(CalibrationSet.read(file).split().heldOut())
        .extracting(CalibrationSetTest::first)
        .containsExactly(4f, 9f);
  }

  @Test
  void split_ofAFewSamples_holdsOutTheLast_andOneSampleCannotBeSplit() throws IOException {
    Path three = tmp.resolve("three.jsonl");
    Files.writeString(three, sampleJson(0) + "\n" + sampleJson(1) + "\n" + sampleJson(2) + "\n");
    Path one = tmp.resolve("one.json");
    Files.writeString(one, sampleJson(0));

    assertThat(CalibrationSet.read(three).split().heldOut())
        .extracting(CalibrationSetTest::first)
        .containsExactly(2f);
    CalibrationSet single = CalibrationSet.read(one);
    assertThat(single.split().heldOut()).isEmpty();
    assertThat(single.split().calibrate()).hasSize(1);
    assertThat(single.warnings())
        .anySatisfy(w -> assertThat(w).contains("fewer than 100"))
        .anySatisfy(w -> assertThat(w).contains("cannot be split"));
  }

  @Test
  void againstBaseline_flagsUnnormalizedPixels_butNotDataPreparedTheSameWay() throws IOException {
    Path pixels =
        write(
            tmp.resolve("pixels.npy"),
            npy(
                "<f4",
                new long[] {1, 3, 2, 2},
                floats(0, 40, 80, 120, 160, 200, 240, 255, 30, 90, 150, 210)));
    Path normal =
        write(
            tmp.resolve("normal.npy"),
            npy(
                "<f4",
                new long[] {1, 3, 2, 2},
                floats(
                    -1.2f, 0.3f, 0.9f, -0.4f, 1.5f, -0.8f, 0.1f, 0.6f, -1.9f, 0.2f, 1.1f, -0.5f)));
    Path alsoNormal =
        write(
            tmp.resolve("normal2.npy"),
            npy(
                "<f4",
                new long[] {1, 3, 2, 2},
                floats(
                    0.7f, -0.2f, -1.1f, 0.4f, 1.3f, -0.6f, 0.0f, 0.9f, -1.5f, 0.5f, 0.8f, -0.3f)));
    CalibrationSet baseline = CalibrationSet.read(normal).forModel(CNN);

    CalibrationSet unlike =
        CalibrationSet.read(pixels).forModel(CNN).againstBaseline(baseline, "the reference");
    CalibrationSet like =
        CalibrationSet.read(alsoNormal).forModel(CNN).againstBaseline(baseline, "the reference");

    assertThat(unlike.notes())
        .singleElement()
        .asString()
        .contains("input 'input' looks unlike the reference", "mean");
    assertThat(like.notes()).isEmpty();
  }

  @Test
  void againstReferenceBeside_comparesWithTheModelsReferenceJson() throws IOException {
    Path model = repoSample("cnn/cnn.onnx");
    List<ModelInput> cnn = List.of(new ModelInput("input", "float32", new long[] {-1, 3, 32, 32}));
    float[] pixels = new float[3 * 32 * 32];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = i % 256;
    }
    Path data =
        write(tmp.resolve("pixels.npy"), npy("<f4", new long[] {1, 3, 32, 32}, floats(pixels)));

    CalibrationSet compared =
        CalibrationSet.read(data).forModel(cnn).againstReferenceBeside(model, cnn);
    CalibrationSet itself =
        CalibrationSet.read(repoSample("cnn/cnn.reference.json"))
            .forModel(cnn)
            .againstReferenceBeside(model, cnn);

    assertThat(compared.notes()).singleElement().asString().contains("cnn.reference.json");
    assertThat(itself.notes()).isEmpty();
  }
}
