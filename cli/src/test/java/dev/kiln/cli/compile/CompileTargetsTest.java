package dev.kiln.cli.compile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.artifact.Artifact;
import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.artifact.Manifest;
import dev.kiln.artifact.TrustedKeys;
import dev.kiln.cli.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompileTargetsTest {
  @TempDir Path tmp;

  @Test
  void cnn_compilesForArm64_withPortableOptimizationsAndCpuProvider() throws IOException {
    Manifest m = compile("--target", "arm64");

    assertThat(m.target().arch()).isEqualTo("arm64");
    assertThat(m.target().profile()).isEqualTo("linux-arm64");
    assertThat(m.engine().name()).isEqualTo("onnxruntime");
    assertThat(m.engine().executionProviders()).containsExactly("CPUExecutionProvider");
    assertThat(m.engine().nativeRequirements()).anyMatch(r -> r.contains("linux-aarch64"));
    assertThat(m.passes()).extracting(Manifest.PassRecord::name).contains("onnxruntime-extended");
    assertThat(m.verification().passed()).isTrue();
    assertThat(m.verification().maxAbsError()).isLessThan(1e-4);
  }

  @Test
  void cnn_compilesForX86_64_withCpuProvider() throws IOException {
    Manifest m = compile("--target", "x86_64");

    assertThat(m.target().arch()).isEqualTo("x86_64");
    assertThat(m.engine().nativeRequirements()).anyMatch(r -> r.contains("linux-x64"));
    assertThat(m.signature().inputs().get(0).shape()).containsExactly(-1L, 3L, 32L, 32L);
  }

  @Test
  void cnn_compilesForNvidia_withGpuProvidersAndOnlyBasicBakedIn() throws IOException {
    Manifest m = compile("--target", "nvidia");

    assertThat(m.target().accelerator()).isNotNull();
    assertThat(m.target().accelerator().type()).isEqualTo("nvidia");
    assertThat(m.engine().executionProviders()).contains("CUDAExecutionProvider");
    assertThat(m.engine().executionProviders()).last().isEqualTo("CPUExecutionProvider");
    assertThat(m.passes()).extracting(Manifest.PassRecord::name).contains("onnxruntime-basic");
    assertThat(m.engine().sessionOptions()).containsEntry("optLevel", "ALL_OPT");
  }

  @Test
  void device_rpi4_shipsOnnxTheAgentCanLoad_andFixedInputShape() throws IOException {
    Manifest m = compile("--device", "rpi4", "--input-shape", "input:1x3x32x32");

    assertThat(m.target().profile()).isEqualTo("rpi4");
    assertThat(m.payload().format()).isEqualTo("onnx");
    assertThat(m.payload().file()).isEqualTo("model.onnx");
    assertThat(m.signature().inputs().get(0).shape()).containsExactly(1L, 3L, 32L, 32L);
  }

  @Test
  void kilnPasses_foldBatchNormAndRemoveIdentity_inTheCnn() throws IOException {
    Manifest m = compile("--target", "arm64");

    assertThat(m.passes())
        .filteredOn(p -> p.name().equals("BatchNormIntoConv"))
        .singleElement()
        .satisfies(p -> assertThat(p.changed()).isTrue());
    assertThat(m.passes())
        .filteredOn(p -> p.name().equals("IdentityElimination"))
        .singleElement()
        .satisfies(p -> assertThat(p.changed()).isTrue());
  }

  @Test
  void twoCompiles_giveByteIdenticalArchives() throws IOException {
    Path key = keys();
    Path a = tmp.resolve("a.kiln");
    Path b = tmp.resolve("b.kiln");
    for (Path out : new Path[] {a, b}) {
      CliRun run =
          CliRun.of(
              "compile",
              CliRun.sample("cnn/cnn.onnx").toString(),
              "--target",
              "arm64",
              "--skip-benchmark",
              "--sign-key",
              key.toString(),
              "-o",
              out.toString(),
              "-q");
      assertThat(run.exitCode()).as(run.err()).isZero();
    }

    assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
  }

  @Test
  void signedArtifact_verifiesAgainstThePublicKey() throws IOException {
    Path key = keys();
    Path out = tmp.resolve("signed.kiln");
    CliRun run =
        CliRun.of(
            "compile",
            CliRun.sample("mlp/mlp.onnx").toString(),
            "--target",
            "x86_64",
            "--sign-key",
            key.toString(),
            "-o",
            out.toString(),
            "--json");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("\"signed\" : true");

    Artifact artifact = Artifact.unpack(out, tmp.resolve("unpacked"));
    String keyId = artifact.verify(TrustedKeys.load(key.getParent()), true);
    assertThat(keyId)
        .isEqualTo(Ed25519Keys.keyId(Ed25519Keys.readPublic(tmp.resolve("keys/kiln.pub"))));
  }

  @Test
  void report_showsOpCountsPassesErrorAndLatency() {
    CliRun run =
        CliRun.of(
            "compile",
            CliRun.sample("cnn/cnn.onnx").toString(),
            "--target",
            "x86_64",
            "-o",
            tmp.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("BatchNormalization  2       0")
        .contains("p50 latency (ms)")
        .contains("Verified  PASS");
    assertThat(run.err()).contains("[1/7] Load and check", "[7/7] Package");
  }

  private Path keys() {
    Path dir = tmp.resolve("keys");
    if (!Files.exists(dir.resolve("kiln.key"))) {
      CliRun run = CliRun.of("keys", "generate", "--out", dir.toString());
      assertThat(run.exitCode()).as(run.err()).isZero();
    }
    return dir.resolve("kiln.key");
  }

  private Manifest compile(String... targetArgs) throws IOException {
    Path out = tmp.resolve("out-" + String.join("-", targetArgs).replace(':', '_') + ".kiln");
    String[] args = new String[targetArgs.length + 6];
    args[0] = "compile";
    args[1] = CliRun.sample("cnn/cnn.onnx").toString();
    System.arraycopy(targetArgs, 0, args, 2, targetArgs.length);
    args[targetArgs.length + 2] = "-o";
    args[targetArgs.length + 3] = out.toString();
    args[targetArgs.length + 4] = "--skip-benchmark";
    args[targetArgs.length + 5] = "-q";
    CliRun run = CliRun.of(args);
    assertThat(run.exitCode()).as(run.err()).isZero();
    Artifact artifact = Artifact.unpack(out, tmp.resolve("unpacked-" + out.getFileName()));
    artifact.verify(java.util.Map.of(), false);
    return artifact.manifest();
  }
}
