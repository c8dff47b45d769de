package dev.kiln.cli.compile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.artifact.Artifact;
import dev.kiln.artifact.Manifest;
import dev.kiln.cli.CliRun;
import dev.kiln.testkit.LargeSamples;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * resnet18 and mobilenet_v2 (tens of MB, never committed) compile and verify. They are generated on
 * demand by samples/generate.py, which needs Debian's python3-torch; CI installs it.
 */
class LargeModelsCompileIT {
  @TempDir Path tmp;

  @BeforeAll
  static void generateLargeModels() throws Exception {
    LargeSamples.ensure(CliRun.repo());
  }

  @Test
  void resnet18_compilesForArm64_withinTolerance() throws IOException {
    Manifest m = compile("large/resnet18/resnet18.onnx");

    assertThat(m.verification().passed()).isTrue();
    assertThat(m.verification().maxRelError()).isLessThanOrEqualTo(1e-4);
    assertThat(m.signature().outputs().get(0).shape()).containsExactly(1L, 1000L);
  }

  @Test
  void mobilenetV2_compilesForArm64() throws IOException {
    Manifest m = compile("large/mobilenet_v2/mobilenet_v2.onnx");

    assertThat(m.verification().passed()).isTrue();
    assertThat(m.sizes().payloadBytes()).isPositive();
  }

  private Manifest compile(String model) throws IOException {
    Path out = tmp.resolve("m.kiln");
    CliRun run =
        CliRun.of(
            "compile",
            CliRun.sample(model).toString(),
            "--target",
            "arm64",
            "--input-shape",
            "input:1x3x224x224",
            "--skip-benchmark",
            "-o",
            out.toString(),
            "-q");
    assertThat(run.exitCode()).as(run.err()).isZero();
    Artifact artifact = Artifact.unpack(out, tmp.resolve("unpacked"));
    artifact.verify(Map.of(), false);
    return artifact.manifest();
  }
}
