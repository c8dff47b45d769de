package dev.kiln.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.agent.AgentProcess;
import dev.kiln.agent.TestArtifacts;
import dev.kiln.artifact.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The manifest's session options reach the ONNX Runtime session the agent loads ({@link
 * OrtRunnerFactory}, the agent's path for onnx and ort payloads). ONNX Runtime's own profile of the
 * run is the witness: it names the kernels the session executed, which differ by optimization level
 * (at ALL_OPT, BatchNormalization is folded into the convolution).
 */
class SessionOptionsIT {

  @Test
  void theSessionRunsTheGraphAtTheManifestsLevelAndOutputsStayTheSame() throws Exception {
    Path work = AgentProcess.tmp("session-options");
    Path payload = work.resolve("model.onnx");
    Files.copy(TestArtifacts.repoRoot().resolve("samples/models/cnn/cnn.onnx"), payload);
    TestArtifacts.Reference ref = TestArtifacts.reference("cnn");

    List<String> asIs = executedOps(payload, "NO_OPT", ref, work.resolve("no-opt"));
    List<String> optimized = executedOps(payload, "ALL_OPT", ref, work.resolve("all-opt"));

    assertThat(asIs).contains("BatchNormalization", "Relu");
    assertThat(optimized).isNotEmpty().doesNotContain("BatchNormalization");
  }

  /** Loads and runs once at {@code level} with profiling on; the op types ONNX Runtime ran. */
  private static List<String> executedOps(
      Path payload, String level, TestArtifacts.Reference ref, Path profileDir) throws Exception {
    Files.createDirectories(profileDir);
    RunnerSpec spec =
        new RunnerSpec(
            payload,
            "onnx",
            List.of(),
            1,
            Map.of("optLevel", level, "intraOpNumThreads", "1", "interOpNumThreads", "1"),
            List.of("input"),
            List.of("output"),
            1);
    try (ModelRunner runner =
        new OrtRunnerFactory()
            .load(spec, o -> o.enableProfiling(profileDir.resolve("ort").toString()))) {
      long[] shape = ref.inputShape().stream().mapToLong(Long::longValue).toArray();
      Tensor out = runner.run(Map.of("input", Tensor.ofFloats(shape, ref.input()))).get("output");
      float[] expected = ref.output();
      assertThat(out.size()).isEqualTo(expected.length);
      for (int i = 0; i < expected.length; i++) {
        assertThat((float) out.get(i))
            .as("%s output %d", level, i)
            .isCloseTo(expected[i], within(1e-4f));
      }
    }
    // ONNX Runtime writes the profile when the session ends.
    List<Path> profiles;
    try (Stream<Path> files = Files.list(profileDir)) {
      profiles = files.filter(p -> p.toString().endsWith(".json")).toList();
    }
    assertThat(profiles).as("ONNX Runtime profile for %s", level).hasSize(1);
    List<String> ops = new ArrayList<>();
    for (JsonNode event : Json.MAPPER.readTree(profiles.get(0).toFile())) {
      if ("Node".equals(event.path("cat").asText())) {
        ops.add(event.at("/args/op_name").asText());
      }
    }
    return ops;
  }
}
