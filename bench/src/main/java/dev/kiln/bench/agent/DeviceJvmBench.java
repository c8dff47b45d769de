package dev.kiln.bench.agent;

import dev.kiln.bench.Stats;
import dev.kiln.testkit.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent's footprint under several JVM option sets ({@link JvmVariant#candidates}): a real
 * {@code kiln-agent run} process per start, fresh state each time, the agent's own thread defaults.
 * Spawn to first inference, then RSS after 1,000 more requests. The variants take turns within each
 * round, so a drift in machine load hits all of them alike.
 */
public final class DeviceJvmBench {
  /** Medians over the starts. */
  public record Row(
      String model,
      String variant,
      int starts,
      Stats firstInferenceMs,
      Stats rssMib,
      Stats lastRequestsMs) {}

  private DeviceJvmBench() {}

  /**
   * @param requests requests after the first inference, before RSS is read; the p50 latency of the
   *     last half of them is reported too (C1-only JIT trades request speed for memory)
   */
  public static List<Row> run(Path repo, String relative, int starts, int requests)
      throws Exception {
    Path work = Files.createTempDirectory("kiln-bench-device-jvm");
    BenchModel model = BenchModel.compile(repo, relative, work);
    List<JvmVariant> variants = JvmVariant.candidates();
    double[][] first = new double[variants.size()][starts];
    double[][] rss = new double[variants.size()][starts];
    double[][] late = new double[variants.size()][];
    for (int v = 0; v < variants.size(); v++) {
      late[v] = new double[starts * (requests - requests / 2)];
    }
    for (int i = 0; i < starts; i++) {
      for (int v = 0; v < variants.size(); v++) {
        Path dir = Files.createDirectories(work.resolve("v" + v + "-start" + i));
        Path log = dir.resolve("process.log");
        int port = FreePorts.next();
        Path config = dir.resolve("agent.json");
        Files.writeString(config, AgentSetup.of(model, 0, 1).withPort(port).json(dir, "jvm"));
        Invoker invoker = new Invoker("http://127.0.0.1:" + port, model.requestJson(), null);
        try (AgentProcess agent = AgentProcess.agent(config, log, variants.get(v))) {
          first[v][i] = agent.awaitFirstInferenceMillis(invoker, log, 180);
          for (int r = 0; r < requests; r++) {
            long t = System.nanoTime();
            invoker.invoke();
            if (r >= requests / 2) {
              late[v][i * (requests - requests / 2) + r - requests / 2] =
                  (System.nanoTime() - t) / 1e6;
            }
          }
          rss[v][i] = agent.rssMib();
        }
        System.err.printf(
            "%s start %d [%s]: first inference %.0f ms, RSS %.1f MiB%n",
            model.name(), i, variants.get(v).name(), first[v][i], rss[v][i]);
      }
    }
    List<Row> rows = new ArrayList<>();
    for (int v = 0; v < variants.size(); v++) {
      rows.add(
          new Row(
              model.name(),
              variants.get(v).name(),
              starts,
              Stats.of(first[v]),
              Stats.of(rss[v]),
              Stats.of(late[v])));
    }
    return rows;
  }
}
