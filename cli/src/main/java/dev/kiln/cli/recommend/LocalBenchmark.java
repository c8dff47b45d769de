package dev.kiln.cli.recommend;

import dev.kiln.agent.benchmark.Benchmark;
import dev.kiln.agent.benchmark.BenchmarkBudget;
import dev.kiln.agent.benchmark.Candidate;
import dev.kiln.agent.benchmark.ProductionGate;
import dev.kiln.agent.runtime.EngineRunnerFactory;
import dev.kiln.artifact.Artifact;
import dev.kiln.artifact.ArtifactErrorCode;
import dev.kiln.artifact.ArtifactException;
import dev.kiln.artifact.ArtifactWriter;
import dev.kiln.link.protocol.BenchmarkPayload;
import dev.kiln.link.protocol.BenchmarkReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code kiln recommend --local}: the agent's benchmark core ({@link Benchmark}) in this process,
 * on this host's cores, with the engine factory the agent uses. No production traffic here, so the
 * load never yields.
 */
final class LocalBenchmark {
  private LocalBenchmark() {}

  static BenchmarkReport run(
      List<Path> artifacts,
      List<BenchmarkPayload.Config> asked,
      BenchmarkPayload.Budget askedBudget,
      PrintWriter progress)
      throws IOException, InterruptedException {
    BenchmarkPayload.Budget budget =
        BenchmarkBudget.orDefaults(askedBudget, BenchmarkBudget.LOCAL_DEFAULT);
    List<String> problems = BenchmarkBudget.problems(budget);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    Path scratch = Files.createTempDirectory("kiln-recommend-");
    try {
      List<Candidate> candidates = new ArrayList<>();
      for (int i = 0; i < artifacts.size(); i++) {
        Artifact a = Artifact.openAny(artifacts.get(i), scratch.resolve("a" + i));
        checkIntegrity(a);
        candidates.add(Candidate.of(a));
      }
      int cores = Runtime.getRuntime().availableProcessors();
      Benchmark bench =
          new Benchmark(new EngineRunnerFactory(0), ProductionGate.NONE, budget, cores);
      List<BenchmarkPayload.Config> configs =
          asked.isEmpty() ? bench.defaultGrid(candidates) : asked;
      progress.println(
          String.format(
              Locale.ROOT,
              "measuring %d configuration(s) of %s on this host (%d cores): %s s each after %d"
                  + " warm-up requests, at most %s s in all",
              configs.size() * candidates.size(),
              candidates.stream().map(c -> c.model() + "@" + c.version()).toList(),
              cores,
              trim(budget.secondsPerConfig()),
              budget.warmUpRequests(),
              trim(budget.maxSeconds())));
      progress.flush();
      return bench.run(
          host(),
          candidates,
          configs,
          (done, total, row) -> {
            progress.println("[" + done + "/" + total + "] " + row.summary());
            progress.flush();
          });
    } finally {
      ArtifactWriter.deleteTree(scratch);
    }
  }

  /**
   * Checksums and the pinned payload and sample must hold; the signer is not checked: the artifact
   * is the user's own file on their own host, served by nobody.
   */
  private static void checkIntegrity(Artifact a) throws IOException {
    try {
      a.verify(java.util.Map.of(), false);
    } catch (ArtifactException e) {
      if (e.code() != ArtifactErrorCode.UNTRUSTED_KEY) {
        throw e;
      }
    }
  }

  static String trim(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }
}
