package dev.kiln.compiler.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.artifact.Artifact;
import dev.kiln.artifact.ArtifactException;
import dev.kiln.artifact.baseline.Baseline;
import dev.kiln.artifact.baseline.BaselineBuilder;
import dev.kiln.artifact.baseline.BaselineFiles;
import dev.kiln.artifact.baseline.Feature;
import dev.kiln.profile.DeviceProfiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompileBaselineTest {
  private static final Path DRIFT =
      Path.of(System.getProperty("kiln.repo.root", ".."))
          .resolve("samples/models/drift/drift.onnx");

  @TempDir Path tmp;

  @Test
  void compileWithCalibrationData_writesSignedBaseline_whoseHistogramsMatchTheData()
      throws IOException {
    List<double[]> rows = rows(400);
    Path data = jsonl(tmp.resolve("cal.jsonl"), rows);

    CompileReport report =
        compile(CompileRequest.builder(DRIFT).calibrationData(data).version("7"), "with");

    assertThat(report.baseline())
        .startsWith("baseline.json: 2 input features, output classes")
        .endsWith("from 400 calibration samples");
    Artifact artifact = Artifact.unpack(report.artifactPath(), tmp.resolve("unpacked"));
    Path file = artifact.dir().resolve(BaselineFiles.FILE_NAME);
    assertThat(Files.readString(artifact.dir().resolve("SHA256SUMS")))
        .contains("  " + BaselineFiles.FILE_NAME);
    Baseline baseline = BaselineFiles.read(file);
    assertThat(BaselineFiles.readFileOrArtifact(report.artifactPath()))
        .as("what kiln monitor check --baseline ARTIFACT.kiln reads")
        .isEqualTo(baseline);
    assertThat(baseline.source()).isEqualTo("calibration");
    assertThat(baseline.model()).isEqualTo("drift");
    assertThat(baseline.modelVersion()).isEqualTo("7");
    assertThat(baseline.records()).isEqualTo(400);
    assertThat(baseline.inputs()).extracting(Feature::name).containsExactly("input[0]", "input[1]");

    // The same rows through the builder directly give the same features, bins and summaries.
    BaselineBuilder expected = new BaselineBuilder("drift", "7", "calibration");
    expected.inputs(List.of("input"), List.of(new long[] {1, 2}));
    for (double[] r : rows) {
      expected.add(List.of(new double[] {(float) r[0], (float) r[1]}), null, null);
    }
    Baseline want = expected.build(0L, null, null);
    for (int i = 0; i < 2; i++) {
      assertThat(baseline.inputs().get(i).bins()).isEqualTo(want.inputs().get(i).bins());
      assertThat(baseline.inputs().get(i).cdfBins()).isEqualTo(want.inputs().get(i).cdfBins());
      assertThat(baseline.inputs().get(i).summary()).isEqualTo(want.inputs().get(i).summary());
    }
    double mean = rows.stream().mapToDouble(r -> (float) r[0]).average().orElseThrow();
    assertThat(baseline.inputs().get(0).summary().mean()).isCloseTo(mean, within(1e-9));
    // A classifier with two classes: every record predicted one of them.
    assertThat(baseline.output().classifier()).isTrue();
    assertThat(baseline.output().classes().values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(400);
  }

  @Test
  void compileWithoutCalibrationData_writesNoBaseline_andTheReportSaysWhy() throws IOException {
    CompileReport report = compile(CompileRequest.builder(DRIFT), "without");

    assertThat(report.baseline()).startsWith("none: no --calibration-data");
    Artifact artifact = Artifact.unpack(report.artifactPath(), tmp.resolve("unpacked-none"));
    assertThat(artifact.dir().resolve(BaselineFiles.FILE_NAME)).doesNotExist();
    assertThatThrownBy(() -> BaselineFiles.readFileOrArtifact(report.artifactPath()))
        .isInstanceOf(ArtifactException.class)
        .hasMessageContaining("compiled without --calibration-data");
  }

  private CompileReport compile(CompileRequest.Builder b, String out) {
    return new Compiler(DeviceProfiles.fromClasspath(), ProgressListener.SILENT)
        .compile(b.output(tmp.resolve(out)).skipBenchmark(true).build());
  }

  private static org.assertj.core.data.Offset<Double> within(double d) {
    return org.assertj.core.data.Offset.offset(d);
  }

  private static List<double[]> rows(int n) {
    Random random = new Random(5);
    List<double[]> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(new double[] {random.nextGaussian() * 0.7, random.nextGaussian() * 1.5});
    }
    return rows;
  }

  private static Path jsonl(Path file, List<double[]> rows) throws IOException {
    StringBuilder out = new StringBuilder();
    for (double[] r : rows) {
      out.append("{\"inputs\":{\"input\":{\"dtype\":\"float32\",\"shape\":[1,2],\"data\":[")
          .append((float) r[0])
          .append(',')
          .append((float) r[1])
          .append("]}}}\n");
    }
    Files.writeString(file, out);
    return file;
  }
}
