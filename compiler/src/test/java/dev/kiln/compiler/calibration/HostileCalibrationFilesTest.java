package dev.kiln.compiler.calibration;

import static dev.kiln.compiler.calibration.CalibrationSetTest.CNN;
import static dev.kiln.compiler.calibration.CalibrationSetTest.refused;
import static dev.kiln.compiler.calibration.CalibrationSetTest.sampleJson;
import static dev.kiln.compiler.calibration.NumpyFiles.floats;
import static dev.kiln.compiler.calibration.NumpyFiles.npy;
import static dev.kiln.compiler.calibration.NumpyFiles.npz;
import static dev.kiln.compiler.calibration.NumpyFiles.range;
import static dev.kiln.compiler.calibration.NumpyFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files written to hurt: each is refused with exit 2 before it costs memory, and the message names
 * the file, the problem and the fix.
 */
class HostileCalibrationFilesTest {
  @TempDir Path tmp;

  @Test
  void npyHeaderClaimingMoreThanTheFileHolds_failsBeforeAllocating() throws IOException {
    Path file =
        write(tmp.resolve("liar.npy"), npy("<f4", new long[] {100_000, 1_000}, floats(1, 2, 3, 4)));

    refused(() -> CalibrationSet.read(file))
        .hasMessageContaining("liar.npy")
        .hasMessageContaining(
            "promises 100000000 float32 values (400000000 bytes) but 16 bytes follow")
        .hasMessageContaining("np.save");
  }

  @Test
  void npyHeaderClaiming10To12Elements_failsOnItsShape() throws IOException {
    Path file =
        write(tmp.resolve("huge.npy"), npy("<f4", new long[] {1_000_000, 1_000_000}, new byte[8]));

    refused(() -> CalibrationSet.read(file))
        .hasMessageContaining("huge.npy")
        .hasMessageContaining("more than");
  }

  @Test
  void npyOverTheMemoryBudget_isRefusedNamingTheLimit() throws IOException {
    Path file =
        write(tmp.resolve("big.npy"), npy("<f4", new long[] {1, 3, 2, 2}, floats(range(12))));

    refused(() -> CalibrationSet.read(file, 40))
        .hasMessageContaining("40-byte limit")
        .hasMessageContaining("fewer samples");
  }

  @Test
  void npyWithWrongMagic_objectDtype_orFortranOrder_isRefusedWithTheFix() throws IOException {
    Path text = Files.writeString(tmp.resolve("text.npy"), "just some text, not numpy");
    Path pickled = write(tmp.resolve("obj.npy"), npy("|O", new long[] {1}, new byte[8]));
    Path halves = write(tmp.resolve("half.npy"), npy("<f2", new long[] {2}, new byte[4]));
    Path fortran =
        write(tmp.resolve("f.npy"), npy("<f4", true, new long[] {2, 2}, floats(1, 2, 3, 4)));

    refused(() -> CalibrationSet.read(text)).hasMessageContaining("magic");
    refused(() -> CalibrationSet.read(pickled)).hasMessageContaining("'|O'");
    refused(() -> CalibrationSet.read(halves))
        .hasMessageContaining("'<f2'")
        .hasMessageContaining("astype");
    refused(() -> CalibrationSet.read(fortran))
        .hasMessageContaining("Fortran")
        .hasMessageContaining("ascontiguousarray");
  }

  @Test
  void zipBombNpz_isRefusedFromItsDirectory_beforeInflating() throws IOException {
    Path file = tmp.resolve("bomb.npz");
    try (OutputStream out = Files.newOutputStream(file)) {
      NumpyFiles.bomb(out, "input.npy", 64L << 20);
    }
    assertThat(Files.size(file)).isLessThan(1L << 20);

    refused(() -> CalibrationSet.read(file, 1L << 20))
        .hasMessageContaining("bomb.npz")
        .hasMessageContaining("declare 67108864 bytes");
  }

  @Test
  void npzWhoseDirectoryLiesAboutSizes_isRefused() throws IOException {
    Map<String, byte[]> arrays =
        Map.of("input.npy", npy("<f4", new long[] {1, 3, 2, 2}, new byte[48]));
    Path understated = npz(tmp.resolve("under.npz"), arrays);
    patchUncompressedSize(understated, 60);
    Path overstated = npz(tmp.resolve("over.npz"), arrays);
    patchUncompressedSize(overstated, 50_000_000);

    refused(() -> CalibrationSet.read(understated))
        .hasMessageContaining("does not inflate to the size");
    refused(() -> CalibrationSet.read(overstated)).hasMessageContaining("a ratio no real .npz has");
  }

  @Test
  void npzWithTooManyEntries_strangeNames_orNoArrays_isRefused() throws IOException {
    Map<String, byte[]> many = new LinkedHashMap<>();
    for (int i = 0; i <= NpzArchive.MAX_ENTRIES; i++) {
      many.put("a" + i + ".npy", new byte[0]);
    }
    Path crowded = npz(tmp.resolve("crowded.npz"), many);
    Path escape = npz(tmp.resolve("escape.npz"), Map.of("../input.npy", new byte[0]));
    Path empty = npz(tmp.resolve("empty.npz"), Map.of());

    refused(() -> CalibrationSet.read(crowded)).hasMessageContaining("257 entries");
    refused(() -> CalibrationSet.read(escape))
        .hasMessageContaining("'../input.npy' is not an array named NAME.npy");
    refused(() -> CalibrationSet.read(empty)).hasMessageContaining("empty.npz");
  }

  @Test
  void wrongDtypeForTheModel_isRefusedWithTheConversion() throws IOException {
    Path pixels =
        write(tmp.resolve("pixels.npy"), npy("|u1", new long[] {1, 3, 2, 2}, new byte[12]));
    Path ids = tmp.resolve("ids.json");
    Files.writeString(
        ids,
        "{\"inputs\": {\"ids\": {\"dtype\": \"float32\", \"shape\": [2], \"data\": [1.5, 2]}}}");
    Path complex = tmp.resolve("c.json");
    Files.writeString(
        complex,
        "{\"inputs\": {\"x\": {\"dtype\": \"complex64\", \"shape\": [1], \"data\": [1]}}}");
    Path fractional = tmp.resolve("frac.json");
    Files.writeString(
        fractional,
        "{\"inputs\": {\"ids\": {\"dtype\": \"int64\", \"shape\": [1], \"data\": [1.5]}}}");

    refused(() -> CalibrationSet.read(pixels).forModel(CNN))
        .hasMessageContaining("pixels.npy")
        .hasMessageContaining("uint8 but the model takes float32")
        .hasMessageContaining("astype('float32') / 255");
    refused(
            () ->
                CalibrationSet.read(ids)
                    .forModel(List.of(new ModelInput("ids", "int64", new long[] {2}))))
        .hasMessageContaining("float32 but the model takes int64");
    refused(() -> CalibrationSet.read(complex)).hasMessageContaining("complex64");
    refused(() -> CalibrationSet.read(fractional))
        .hasMessageContaining("1.5")
        .hasMessageContaining("whole number");
  }

  @Test
  void namesThatDoNotMatchTheModel_areRefusedNamingBothSides() throws IOException {
    Path file = tmp.resolve("named.json");
    Files.writeString(file, sampleJson(0).replace("\"input\"", "\"image\""));
    Path lone = write(tmp.resolve("x.npy"), npy("<f4", new long[] {2}, floats(1, 2)));
    List<ModelInput> twoInputs =
        List.of(
            new ModelInput("a", "float32", new long[] {2}),
            new ModelInput("b", "float32", new long[] {2}));

    refused(() -> CalibrationSet.read(file).forModel(CNN))
        .hasMessageContaining("named.json")
        .hasMessageContaining("missing [input]")
        .hasMessageContaining("not inputs of the model: [image]")
        .hasMessageContaining("Name the tensors after the model's inputs");
    refused(() -> CalibrationSet.read(lone).forModel(twoInputs))
        .hasMessageContaining("np.savez(path, a=..., b=...)");
  }

  @Test
  void shapesThatDoNotFitTheModel_areRefused() throws IOException {
    Path wrongRank =
        write(tmp.resolve("r.npy"), npy("<f4", new long[] {3, 2, 2}, floats(range(12))));
    Path wrongDim = tmp.resolve("d.json");
    Files.writeString(
        wrongDim,
        "{\"inputs\": {\"input\": {\"shape\": [1, 4, 2, 2], \"data\": "
            + java.util.Arrays.toString(range(16))
            + "}}}");
    Path countMismatch = tmp.resolve("n.json");
    Files.writeString(
        countMismatch, "{\"inputs\": {\"input\": {\"shape\": [1, 3, 2, 2], \"data\": [1, 2]}}}");

    refused(() -> CalibrationSet.read(wrongRank).forModel(CNN))
        .hasMessageContaining("rank 3")
        .hasMessageContaining("rank 4");
    refused(() -> CalibrationSet.read(wrongDim).forModel(CNN))
        .hasMessageContaining("fixes dim 1 to 3")
        .hasMessageContaining("?x3x2x2");
    refused(() -> CalibrationSet.read(countMismatch))
        .hasMessageContaining("has 2 values but its shape 1x3x2x2 needs 12");
  }

  @Test
  void emptyFolder_missingPath_unknownExtension_andBrokenJson_areRefused() throws IOException {
    Path emptyDir = Files.createDirectories(tmp.resolve("empty"));
    Files.writeString(emptyDir.resolve("readme.txt"), "nothing");
    Path unknown = Files.writeString(tmp.resolve("data.bin"), "x");
    Path broken = Files.writeString(tmp.resolve("broken.json"), "{\"inputs\": {");
    Path noInputs = Files.writeString(tmp.resolve("none.json"), "{\"outputs\": {}}");
    Path badLine = Files.writeString(tmp.resolve("lines.jsonl"), sampleJson(0) + "\nnot json\n");

    refused(() -> CalibrationSet.read(emptyDir))
        .hasMessageContaining("holds no .json, .jsonl, .npy or .npz");
    refused(() -> CalibrationSet.read(tmp.resolve("nope.json")))
        .hasMessageContaining("does not exist");
    refused(() -> CalibrationSet.read(unknown))
        .hasMessageContaining("Name it .json, .jsonl, .npy or .npz");
    refused(() -> CalibrationSet.read(broken)).hasMessageContaining("not readable JSON");
    refused(() -> CalibrationSet.read(noInputs)).hasMessageContaining("no \"inputs\" object");
    refused(() -> CalibrationSet.read(badLine)).hasMessageContaining("lines.jsonl:2");
  }

  @Test
  void arraysWithAnEmptySampleAxis_areRefused() throws IOException {
    Path none = write(tmp.resolve("none.npy"), npy("<f4", new long[] {0, 1, 3, 2, 2}, new byte[0]));

    refused(() -> CalibrationSet.read(none).forModel(CNN)).hasMessageContaining("holds no samples");
  }

  @Test
  void modelInputTypesKilnCannotRun_areUnsupportedModels() throws IOException {
    Path file = write(tmp.resolve("x.npy"), npy("<i4", new long[] {2}, new byte[8]));

    assertThatThrownBy(
            () ->
                CalibrationSet.read(file)
                    .forModel(List.of(new ModelInput("x", "int32", new long[] {2}))))
        .isInstanceOfSatisfying(
            CompileException.class,
            e -> assertThat(e.code()).isEqualTo(CompileErrorCode.UNSUPPORTED_MODEL))
        .hasMessageContaining("float32 and int64 inputs only");
  }

  /** Rewrites the central directory's uncompressed size of the first entry, as a forger would. */
  private static void patchUncompressedSize(Path zip, int size) throws IOException {
    byte[] bytes = Files.readAllBytes(zip);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = bytes.length - 46; i >= 0; i--) {
      if (b.getInt(i) == 0x02014b50) {
        b.putInt(i + 24, size);
        Files.write(zip, bytes);
        return;
      }
    }
    throw new IllegalStateException("no central directory in " + zip);
  }
}
