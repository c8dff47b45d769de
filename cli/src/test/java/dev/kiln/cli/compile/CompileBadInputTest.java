package dev.kiln.cli.compile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.cli.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bad input: a message naming the problem and fix, a non-zero exit, and no output left. */
class CompileBadInputTest {
  @TempDir Path tmp;

  @Test
  void truncatedModel_isRejectedAsTruncated() throws IOException {
    byte[] bytes = Files.readAllBytes(CliRun.sample("cnn/cnn.onnx"));
    Path truncated = tmp.resolve("truncated.onnx");
    Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));

    assertRejected(run(truncated, "--target", "arm64"), "truncated");
  }

  @Test
  void textFile_isRejectedAsNotOnnx() throws IOException {
    assertRejected(
        run(CliRun.sample("bad/not_a_model.onnx"), "--target", "arm64"), "not an ONNX model");
  }

  @Test
  void missingFile_namesThePath() throws IOException {
    assertRejected(run(tmp.resolve("nope.onnx"), "--target", "arm64"), "nope.onnx");
  }

  @Test
  void unsupportedOpset_saysWhichOpsetAndWhatIsSupported() throws IOException {
    CliRun run = run(CliRun.sample("bad/opset99.onnx"), "--target", "arm64");
    assertRejected(run, "99");
  }

  @Test
  void unsupportedOp_namesTheNodeAndOp() throws IOException {
    CliRun run = run(CliRun.sample("bad/unsupported_op.onnx"), "--target", "arm64");
    assertRejected(run, "FancyOp");
  }

  @Test
  void wrongInputShape_showsTheModelsShape() throws IOException {
    CliRun run =
        run(CliRun.sample("cnn/cnn.onnx"), "--target", "arm64", "--input-shape", "input:1x4x32x32");
    assertRejected(run, "input");
    assertThat(run.err()).contains("32");
  }

  @Test
  void malformedInputShape_isAUsageError() throws IOException {
    assertRejected(
        run(
            CliRun.sample("cnn/cnn.onnx"),
            "--target",
            "arm64",
            "--input-shape",
            "input:1xbananax3"),
        "input");
  }

  @Test
  void unknownInputName_listsTheValidNames() throws IOException {
    assertRejected(
        run(CliRun.sample("cnn/cnn.onnx"), "--target", "arm64", "--input-shape", "image:1x3x32x32"),
        "input");
  }

  @Test
  void unknownTarget_listsTheValidTargets() throws IOException {
    CliRun run = run(CliRun.sample("cnn/cnn.onnx"), "--target", "riscv");
    assertRejected(run, "arm64");
    assertThat(run.err()).contains("x86_64", "nvidia");
  }

  @Test
  void unknownDevice_listsTheValidDevices() throws IOException {
    CliRun run = run(CliRun.sample("cnn/cnn.onnx"), "--device", "rpi9");
    assertRejected(run, "rpi4");
    assertThat(run.err()).contains("jetson-orin-nano");
  }

  @Test
  void existingOutput_isKept_andForceIsSuggested() throws IOException {
    Path out = tmp.resolve("out");
    Files.createDirectories(out);
    Path existing = out.resolve("cnn-1.0.0-linux-arm64.kiln");
    Files.writeString(existing, "precious");

    CliRun run =
        CliRun.of(
            "compile",
            CliRun.sample("cnn/cnn.onnx").toString(),
            "--target",
            "arm64",
            "-o",
            out.toString(),
            "-q");

    assertThat(run.exitCode()).isNotZero();
    assertThat(run.err()).contains("--force");
    assertThat(Files.readString(existing)).isEqualTo("precious");
    try (Stream<Path> files = Files.list(out)) {
      assertThat(files).containsExactly(existing);
    }
  }

  @Test
  void verificationBeyondTolerance_failsAndWritesNothing() throws IOException {
    // A tolerance no float computation can meet after BN folding changes the arithmetic.
    CliRun run = run(CliRun.sample("cnn/cnn.onnx"), "--target", "arm64", "--tolerance", "1e-30");
    assertRejected(run, "tolerance");
    assertThat(run.err()).contains("worst");
  }

  private CliRun run(Path model, String... args) {
    String[] all = new String[args.length + 6];
    all[0] = "compile";
    all[1] = model.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    all[args.length + 2] = "-o";
    all[args.length + 3] = tmp.resolve("out").toString();
    all[args.length + 4] = "--skip-benchmark";
    all[args.length + 5] = "-q";
    return CliRun.of(all);
  }

  @Test
  void unknownCalibrationMethod_listsTheValidOnes() throws IOException {
    CliRun run =
        run(
            CliRun.sample("cnn/cnn.onnx"),
            "--quantize",
            "int8",
            "--calibration-method",
            "percentile:101");
    assertRejected(run, "minmax, percentile or percentile:P");
    assertThat(run.exitCode()).isEqualTo(2);
  }

  @Test
  void calibrationMethod_withoutStaticInt8_isAUsageError() throws IOException {
    CliRun fp16 =
        run(
            CliRun.sample("cnn/cnn.onnx"),
            "--quantize",
            "fp16",
            "--calibration-method",
            "percentile");
    assertRejected(fp16, "--quantize fp16 calibrates nothing");
    assertThat(fp16.exitCode()).isEqualTo(2);
    CliRun none = run(CliRun.sample("cnn/cnn.onnx"), "--calibration-method", "minmax");
    assertRejected(none, "apply only with --quantize");
    assertThat(none.exitCode()).isEqualTo(2);
  }

  private void assertRejected(CliRun run, String mentions) throws IOException {
    assertThat(run.exitCode()).as(run.out() + run.err()).isNotZero();
    assertThat(run.err()).startsWith("error: ").contains(mentions);
    assertThat(run.err()).doesNotContain("internal error").doesNotContain("\tat ");
    Path out = tmp.resolve("out");
    if (Files.exists(out)) {
      try (Stream<Path> files = Files.list(out)) {
        assertThat(files).as("nothing is left in the output folder").isEmpty();
      }
    }
  }
}
