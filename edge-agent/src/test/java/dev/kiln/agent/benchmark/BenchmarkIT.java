package dev.kiln.agent.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.TestArtifacts;
import dev.kiln.agent.runtime.EngineRunnerFactory;
import dev.kiln.artifact.Artifact;
import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.link.protocol.BenchmarkPayload.Budget;
import dev.kiln.link.protocol.BenchmarkPayload.Config;
import dev.kiln.link.protocol.BenchmarkReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark core on the real sample CNN with ONNX Runtime: each configuration loads through the
 * agent's serving path and is measured; one over the thread cap is skipped with its reason. No
 * timing is asserted, only that the figures are consistent.
 */
class BenchmarkIT {
  @TempDir Path tmp;

  @Test
  void measuresEachConfiguration_andSkipsOneOverTheCores() throws Exception {
    Path file =
        TestArtifacts.build(
            TestArtifacts.spec().sample("cnn").name("cnn"), Ed25519Keys.generate(), tmp);
    Artifact artifact = Artifact.unpack(file, tmp.resolve("unpacked"));
    Benchmark bench =
        new Benchmark(
            new EngineRunnerFactory(0), ProductionGate.NONE, new Budget(120, 0.3, 300, 5), 2);
    List<Config> configs =
        List.of(new Config(1, 1, 1, 1), new Config(1, 1, 16, 4), new Config(2, 2, 1, 1));
    List<String> progress = new ArrayList<>();

    BenchmarkReport report =
        bench.run(
            "here",
            List.of(Candidate.of(artifact)),
            configs,
            (done, total, row) -> progress.add(done + "/" + total + " " + row.summary()));

    assertThat(report.rows()).hasSize(3);
    assertThat(progress).hasSize(3);
    assertThat(progress.get(0)).startsWith("1/3 cnn@1 fp32 t1 p1 nobatch c1: p50 ");
    for (BenchmarkReport.Row r : report.rows().subList(0, 2)) {
      assertThat(r.measured()).as(r.summary()).isTrue();
      assertThat(r.errors()).isZero();
      assertThat(r.requests()).isBetween(1L, 300L);
      assertThat(r.p50Ms()).isPositive().isLessThanOrEqualTo(r.p95Ms());
      assertThat(r.p95Ms()).isLessThanOrEqualTo(r.p99Ms());
      assertThat(r.throughput())
          .isCloseTo(r.requests() / r.seconds(), org.assertj.core.data.Offset.offset(1e-6));
      assertThat(r.rssMiB()).isPositive();
      assertThat(r.precision()).isEqualTo("fp32");
    }
    assertThat(report.rows().get(2).measured()).isFalse();
    assertThat(report.rows().get(2).skipped()).contains("over the 2 cores");
  }
}
