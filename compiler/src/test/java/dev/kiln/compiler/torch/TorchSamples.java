package dev.kiln.compiler.torch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.artifact.Artifact;
import dev.kiln.compiler.ort.HostTensor;
import dev.kiln.compiler.pipeline.CompileRequest;
import dev.kiln.profile.DeviceProfiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Paths to samples/ and small helpers the TorchScript tests share. */
final class TorchSamples {
  static final DeviceProfiles PROFILES = DeviceProfiles.fromClasspath();

  private TorchSamples() {}

  static Path repo() {
    String root = System.getProperty("kiln.repo.root");
    if (root == null) {
      throw new IllegalStateException("run under Maven: system property kiln.repo.root is unset");
    }
    return Path.of(root);
  }

  static Path model(String relative) {
    return repo().resolve("samples/models").resolve(relative);
  }

  static Path cnnReference() {
    return model("cnn/cnn.reference.json");
  }

  /** A fresh directory under java.io.tmpdir (target/tmp), which may not exist yet. */
  static Path newDir(String prefix) throws IOException {
    Path base = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
    return Files.createTempDirectory(base, prefix);
  }

  /** A request with the sample's shape fixed, few timed runs, for one engine. */
  static CompileRequest request(
      Path source, String target, Path out, String engine, Map<String, long[]> shapes) {
    return CompileRequest.of(source, target, out)
        .withInputShapes(shapes)
        .withEngine(engine)
        .withSkipBenchmark(false);
  }

  static CompileRequest withCalibration(CompileRequest r, Path calibration) {
    return r.toBuilder().calibrationData(calibration).benchmarkRuns(3).build();
  }

  static Map<String, long[]> cnnShape() {
    return Map.of("input", new long[] {1, 3, 32, 32});
  }

  /** Unpacks and verifies (checksums and manifest pins; unsigned allowed). */
  static Artifact unpackVerified(Path kiln) throws IOException {
    Artifact artifact = Artifact.unpack(kiln, newDir("unpacked").resolve("a"));
    artifact.verify(Map.of(), false);
    return artifact;
  }

  static float[] floats(Artifact artifact, String output) throws IOException {
    return HostTensor.of(artifact.sample().outputs().get(output)).values() instanceof float[] f
        ? f
        : new float[0];
  }

  static float[] referenceOutput() throws IOException {
    return (float[])
        dev.kiln.compiler.calibration.CalibrationSet.read(cnnReference())
            .expectedOutputs()
            .get(0)
            .get("output")
            .values();
  }

  static void assertClose(float[] actual, float[] expected, double tolerance) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.length; i++) {
      assertThat((double) actual[i]).as("element %d", i).isCloseTo(expected[i], within(tolerance));
    }
  }

  private static org.assertj.core.data.Offset<Double> within(double tolerance) {
    return org.assertj.core.data.Offset.offset(tolerance);
  }

  /** Everything in a directory, to prove a failed compile left nothing behind. */
  static List<Path> contents(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.toList();
    }
  }
}
