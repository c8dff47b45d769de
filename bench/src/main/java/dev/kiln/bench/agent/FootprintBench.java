package dev.kiln.bench.agent;

import dev.kiln.bench.Stats;
import dev.kiln.testkit.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Memory and start time of a real {@code kiln-agent run} process serving one model, against a bare
 * JVM started the same way (same java, classpath and flags) that only reaches main. Each start uses
 * a fresh state folder, so it includes verifying, unpacking and health-checking the artifact.
 */
public final class FootprintBench {
  /** Medians over the starts; RSS after {@code warmup} requests. */
  public record Row(
      String model,
      int starts,
      Stats firstInferenceMs,
      Stats agentRssMib,
      Stats jvmMainMs,
      Stats jvmRssMib) {}

  private FootprintBench() {}

  public static List<Row> run(Path repo, List<String> models, int starts, int threads)
      throws Exception {
    Path work = Files.createTempDirectory("kiln-bench-footprint");
    List<Row> rows = new ArrayList<>();
    for (String relative : models) {
      BenchModel model = BenchModel.compile(repo, relative, work);
      double[] first = new double[starts];
      double[] rss = new double[starts];
      double[] jvmMain = new double[starts];
      double[] jvmRss = new double[starts];
      for (int i = 0; i < starts; i++) {
        Path dir = Files.createDirectories(work.resolve(model.name() + "-start" + i));
        Path log = dir.resolve("process.log");
        try (AgentProcess jvm = AgentProcess.bareJvm(log)) {
          jvmMain[i] = jvm.awaitMainMillis();
          jvmRss[i] = jvm.rssMib();
        }
        int port = FreePorts.next();
        Path config = dir.resolve("agent.json");
        Files.writeString(
            config, AgentSetup.of(model, threads, 8).withPort(port).json(dir, "footprint"));
        Invoker invoker = new Invoker("http://127.0.0.1:" + port, model.requestJson(), null);
        try (AgentProcess agent = AgentProcess.agent(config, log)) {
          first[i] = agent.awaitFirstInferenceMillis(invoker, log, 180);
          for (int w = 0; w < 500; w++) {
            invoker.invoke();
          }
          rss[i] = agent.rssMib();
        }
        System.err.printf(
            "%s start %d: first inference %.0f ms, RSS %.1f MiB (bare JVM: main %.0f ms, %.1f"
                + " MiB)%n",
            model.name(), i, first[i], rss[i], jvmMain[i], jvmRss[i]);
      }
      rows.add(
          new Row(
              model.name(),
              starts,
              Stats.of(first),
              Stats.of(rss),
              Stats.of(jvmMain),
              Stats.of(jvmRss)));
    }
    return rows;
  }
}
