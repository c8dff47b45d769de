package dev.kiln.agent.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.agent.AgentProcess;
import dev.kiln.agent.TestArtifacts;
import dev.kiln.agent.cli.AgentCommandLine;
import dev.kiln.agent.runtime.EngineRunnerFactory;
import dev.kiln.agent.runtime.ModelRunner;
import dev.kiln.agent.runtime.RunnerSpec;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Artifact;
import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.artifact.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Batch transform with the real ONNX Runtime, in process. */
class BatchTransformIT {
  private static Path work;
  private static Path kiln;
  private static Artifact artifact;
  private static TestArtifacts.Reference ref;

  @BeforeAll
  static void build() throws Exception {
    work = AgentProcess.tmp("batch");
    kiln = TestArtifacts.build(TestArtifacts.spec().unsigned(), Ed25519Keys.generate(), work);
    artifact = Artifact.unpack(kiln, work.resolve("unpacked"));
    ref = TestArtifacts.reference("mlp");
  }

  /** 100 lines: row 0 of the reference on even lines, row 1 on odd, every 10th line broken. */
  private static Path input(Path dir) throws Exception {
    Files.createDirectories(dir);
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      if (i % 10 == 9) {
        lines.add("{\"inputs\": {\"input\": [[1, 2]]}}");
        continue;
      }
      List<Float> row = new ArrayList<>();
      for (int c = 0; c < 8; c++) {
        row.add(ref.input()[(i % 2) * 8 + c]);
      }
      lines.add(
          new com.fasterxml.jackson.databind.ObjectMapper()
              .writeValueAsString(Map.of("instances", List.of(row))));
    }
    Files.write(dir.resolve("part-1.jsonl"), lines.subList(0, 60));
    Files.write(dir.resolve("part-2.jsonl"), lines.subList(60, 100));
    return dir;
  }

  private static ModelRunner load() {
    return new EngineRunnerFactory(1)
        .load(RunnerSpec.fromManifest(artifact.manifest(), artifact.payloadPath(), 1, 1));
  }

  private static void assertComplete(Path output) throws Exception {
    List<String> lines = Files.readAllLines(output);
    assertThat(lines).hasSize(100);
    for (int i = 0; i < 100; i++) {
      JsonNode line = Json.MAPPER.readTree(lines.get(i));
      assertThat(line.get("line").asLong()).isEqualTo(i);
      if (i % 10 == 9) {
        assertThat(line.at("/error/code").asText()).isEqualTo("INVALID_INPUT");
      } else {
        assertThat(line.at("/outputs/output/0/1").floatValue())
            .isCloseTo(ref.output()[(i % 2) * 3 + 1], within(1e-4f));
      }
    }
  }

  @Test
  void run_resumesAfterInterruption_withoutLosingOrRepeatingLines() throws Exception {
    Path in = input(work.resolve("in-resume"));
    Path output = work.resolve("resume.jsonl");
    try (ModelRunner real = load()) {
      AtomicInteger calls = new AtomicInteger();
      ModelRunner dying =
          new ModelRunner() {
            @Override
            public Map<String, Tensor> run(Map<String, Tensor> inputs) {
              if (calls.incrementAndGet() > 40) {
                throw new IllegalStateException("simulated crash");
              }
              return real.run(inputs);
            }

            @Override
            public void close() {}
          };
      var sig = artifact.manifest().signature();
      assertThatThrownBy(
              () -> new BatchTransform("mlp", dying, sig, 7).run(BatchTransform.inputs(in), output))
          .hasMessageContaining("simulated crash");
      BatchProgress mid = BatchProgress.read(output);
      assertThat(mid.linesDone()).isBetween(1L, 45L);
      assertThat(Files.size(output)).isGreaterThanOrEqualTo(mid.outputBytes());

      BatchTransform.Summary s =
          new BatchTransform("mlp", real, sig, 7).run(BatchTransform.inputs(in), output);
      assertThat(s.resumed()).isTrue();
      assertThat(s.linesDone()).isEqualTo(100);
      assertThat(s.errors()).isLessThanOrEqualTo(10);
    }
    assertComplete(output);
  }

  @Test
  void batchCommand_transformsFolder_andRerunIsANoOp() throws Exception {
    Path in = input(work.resolve("in-cli"));
    Path output = work.resolve("cli.jsonl");
    String[] args = {
      "batch",
      "--model",
      kiln.toString(),
      "--input",
      in.toString(),
      "--output",
      output.toString(),
      "--allow-unsigned"
    };
    assertThat(AgentCommandLine.create().execute(args)).isEqualTo(1); // 10 lines are errors
    assertComplete(output);
    long size = Files.size(output);
    AgentCommandLine.create().execute(args);
    assertThat(Files.size(output)).isEqualTo(size);
  }
}
