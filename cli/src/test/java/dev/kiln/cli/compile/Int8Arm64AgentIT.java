package dev.kiln.cli.compile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.artifact.Artifact;
import dev.kiln.artifact.Json;
import dev.kiln.artifact.Manifest;
import dev.kiln.artifact.TensorData;
import dev.kiln.artifact.VerificationSample;
import dev.kiln.cli.CliRun;
import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * An int8 arm64 artifact of the sample CNN runs in the arm64 agent bundle on an aarch64 JVM under
 * qemu-user ({@code kiln-agent batch}, the agent's own loading and engine), and its outputs match
 * the x86_64 run recorded in the artifact's sample within the artifact's stated tolerance. One
 * emulated JVM start and one inference, so it stays cheap. Needs what Arm64AgentIT needs:
 * qemu-user-static and the sysroot from .ci/arm64-sysroot.sh (CI builds both; a missing piece fails
 * there and skips elsewhere).
 */
@Tag("arm64")
class Int8Arm64AgentIT {
  private static final String ARM64_JAVA = "usr/lib/jvm/java-17-openjdk-arm64/bin/java";

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path work;

  @Test
  void int8Arm64Cnn_runsInTheArm64Agent_matchingTheX86RunWithinItsTolerance() throws Exception {
    List<String> java = arm64Java();
    Path data =
        CalibrationFiles.jsonl(
            work.resolve("cal.jsonl"), "input", new long[] {1, 3, 32, 32}, 20, 5, 1, 1);
    Path out = work.resolve("cnn-int8-arm64.kiln");
    CliRun run =
        CliRun.of(
            "compile",
            CliRun.sample("cnn/cnn.onnx").toString(),
            "--target",
            "arm64",
            "--quantize",
            "int8",
            "--calibration-data",
            data.toString(),
            "-o",
            out.toString(),
            "-q");
    assertThat(run.exitCode()).as(run.err()).isZero();
    Artifact artifact = Artifact.unpack(out, work.resolve("unpacked"));
    Manifest m = artifact.manifest();
    assertThat(m.target().arch()).isEqualTo("arm64");
    assertThat(m.quantization().precision()).isEqualTo("int8");
    assertThat(m.quantization().method()).isEqualTo("static-qdq");
    assertThat(m.quantization().why()).contains("arm64");
    VerificationSample sample = artifact.sample();
    Path input = work.resolve("in.jsonl");
    Files.writeString(input, requestLine(sample.inputs()) + "\n");
    Path output = work.resolve("out.jsonl");

    List<String> command = new ArrayList<>(java);
    command.addAll(
        List.of(
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-Xmx512m",
            "-Dai.djl.offline=true",
            "-Djava.io.tmpdir=" + Files.createDirectories(work.resolve("tmp")),
            "-cp",
            agentClasspath(CliRun.repo().resolve("edge-agent/target")),
            "dev.kiln.agent.cli.AgentMain",
            "batch",
            "--model",
            out.toString(),
            "--input",
            input.toString(),
            "--output",
            output.toString(),
            "--allow-unsigned"));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("OPT_OUT_TRACKING", "true");
    builder.environment().put("DJL_CACHE_DIR", work.resolve("djl").toString());
    Path log = work.resolve("agent.log");
    builder.redirectOutput(log.toFile());
    Process agent = builder.start();
    if (!agent.waitFor(8, TimeUnit.MINUTES)) {
      agent.destroyForcibly();
      fail("arm64 kiln-agent batch did not finish in 8 minutes:\n" + Files.readString(log));
    }
    assertThat(agent.exitValue()).as(Files.readString(log)).isZero();

    JsonNode line = Json.MAPPER.readTree(Files.readAllLines(output).get(0));
    double tol = sample.tolerance();
    assertThat(tol).isEqualTo(m.verification().tolerance());
    assertThat(sample.toleranceScale()).isEqualTo(VerificationSample.OUTPUT_MAX);
    for (Map.Entry<String, TensorData> expected : sample.outputs().entrySet()) {
      List<Double> got = new ArrayList<>();
      flatten(line.path("outputs").path(expected.getKey()), got);
      float[] want = expected.getValue().floats();
      assertThat(got).as(line.toString()).hasSize(want.length);
      // The agent's health-check rule: the tolerance times this output's largest value.
      double[] recorded = new double[want.length];
      for (int i = 0; i < want.length; i++) {
        recorded[i] = want[i];
      }
      VerificationSample.Rule rule = sample.rule(tol, recorded);
      for (int i = 0; i < want.length; i++) {
        assertThat(rule.allows(got.get(i), want[i]))
            .as(
                "output '%s'[%d]: arm64 %s, x86_64 %s, allowed %s",
                expected.getKey(), i, got.get(i), want[i], rule.describe())
            .isTrue();
      }
    }
  }

  private static String requestLine(Map<String, TensorData> inputs) throws IOException {
    Map<String, Object> body = new java.util.LinkedHashMap<>();
    inputs.forEach((name, t) -> body.put(name, nest(t.floats(), t.shapeArray(), 0, 0)));
    return Json.MAPPER
        .writer()
        .without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
        .writeValueAsString(Map.of("inputs", body));
  }

  private static Object nest(float[] flat, long[] shape, int dim, int offset) {
    if (dim == shape.length) {
      return flat[offset];
    }
    int stride = 1;
    for (int d = dim + 1; d < shape.length; d++) {
      stride *= (int) shape[d];
    }
    List<Object> items = new ArrayList<>();
    for (int i = 0; i < shape[dim]; i++) {
      items.add(nest(flat, shape, dim + 1, offset + i * stride));
    }
    return items;
  }

  private static void flatten(JsonNode node, List<Double> out) {
    if (node.isArray()) {
      node.forEach(child -> flatten(child, out));
    } else {
      out.add(node.doubleValue());
    }
  }

  /** qemu plus the arm64 JVM of the sysroot, as Arm64AgentIT's Arm64Host finds them. */
  private static List<String> arm64Java() {
    String configured =
        System.getProperty("kiln.arm64.sysroot", System.getenv("KILN_ARM64_SYSROOT"));
    Path sysroot =
        configured != null
            ? Path.of(configured).toAbsolutePath()
            : CliRun.repo().resolve(".cache/arm64-sysroot");
    Path qemu = Path.of("/usr/bin/qemu-aarch64-static");
    boolean ready = Files.isExecutable(qemu) && Files.isExecutable(sysroot.resolve(ARM64_JAVA));
    if (!ready) {
      String missing =
          "needs qemu-aarch64-static (apt-get install -y qemu-user-static) and the arm64 sysroot"
              + " (.ci/arm64-sysroot.sh "
              + sysroot
              + ")";
      if ("true".equals(System.getenv("CI"))) {
        fail(missing);
      }
      assumeThat(ready).as(missing).isTrue();
    }
    return List.of(
        qemu.toString(), "-L", sysroot.toString(), sysroot.resolve(ARM64_JAVA).toString());
  }

  /**
   * The agent's classpath as the arm64 bundle has it (the same rule as Arm64AgentIT): the built jar
   * and its libs, with PyTorch's x86_64 natives swapped for the aarch64 ones.
   */
  private static String agentClasspath(Path target) throws IOException {
    List<String> entries = new ArrayList<>();
    for (Path jar : jars(target, "kiln-edge-agent-*.jar")) {
      if (!jar.getFileName().toString().endsWith("-sources.jar")) {
        entries.add(jar.toString());
      }
    }
    for (Path jar : jars(target.resolve("lib"), "*.jar")) {
      if (!jar.getFileName().toString().matches("pytorch-native-cpu-.*-linux-x86_64\\.jar")) {
        entries.add(jar.toString());
      }
    }
    List<Path> natives = jars(target.resolve("natives-aarch64"), "*.jar");
    if (entries.size() < 2 || natives.isEmpty()) {
      fail(
          "the packaged agent is incomplete in "
              + target
              + " (jar, lib/, natives-aarch64/); run mvn -pl edge-agent package");
    }
    natives.forEach(jar -> entries.add(jar.toString()));
    return String.join(File.pathSeparator, entries);
  }

  private static List<Path> jars(Path dir, String glob) throws IOException {
    List<Path> found = new ArrayList<>();
    if (Files.isDirectory(dir)) {
      try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, glob)) {
        stream.forEach(found::add);
      }
    }
    found.sort(null);
    return found;
  }
}
