package dev.kiln.bench.agent;

import dev.kiln.agent.runtime.OrtNativeLibraries;
import dev.kiln.agent.service.DeviceJvm;
import dev.kiln.bench.Stats;
import dev.kiln.testkit.FreePorts;
import dev.kiln.testkit.Mosquitto;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The agent's footprint under several JVM option sets ({@link JvmVariant#candidates}): a real
 * {@code kiln-agent run} process per start on the agent's own classpath (its jar and {@code
 * edge-agent/target/lib}, as the launchers and the unit run it), fresh state each time, the agent's
 * own thread defaults. Spawn to first inference, the CPU the process used until then, then RSS
 * after N more requests. The variants take turns within each round, so a drift in machine load hits
 * all of them alike.
 */
public final class DeviceJvmBench {
  /** Medians over the starts. */
  public record Row(
      String model,
      String variant,
      int starts,
      Stats firstInferenceMs,
      Stats firstInferenceCpuMs,
      Stats rssMib,
      Stats settledRssMib,
      Stats lastRequestsMs) {}

  /**
   * The rows, the time the archive took to dump, the load average before and after, and how long
   * each agent was left idle after its requests before RSS was read again.
   */
  public record Result(
      List<Row> rows, long archiveMillis, String loadBefore, String loadAfter, int settleSeconds) {}

  /**
   * Seconds an agent idles after its requests before RSS is read a second time: the JVM returns its
   * compiler's arena chunks to malloc every 5 s, and what a trim gives back shows only after that
   * ({@code -Dkiln.bench.deviceJvmSettle}, 0 to skip).
   */
  private static final int SETTLE_SECONDS = Integer.getInteger("kiln.bench.deviceJvmSettle", 10);

  private DeviceJvmBench() {}

  /**
   * @param requests requests after the first inference, before RSS is read; the p50 latency of the
   *     last half of them is reported too (C1-only JIT trades request speed for memory)
   */
  public static Result run(Path repo, String relative, int starts, int requests) throws Exception {
    String loadBefore = loadAverage();
    Path work = Files.createTempDirectory("kiln-bench-device-jvm");
    BenchModel model = BenchModel.compile(repo, relative, work);
    String classpath = agentClasspath(repo);
    Path archive = work.resolve("cds").resolve(DeviceJvm.ARCHIVE_NAME);
    long archiveMillis = dumpArchive(classpath, archive, work.resolve("cds.log"));
    // On a device the state folder keeps ONNX Runtime's unpacked libraries between starts; the
    // fresh state of every start here links to one unpacked copy, made now.
    Path natives = work.resolve("native");
    OrtNativeLibraries.useCache(natives);
    List<JvmVariant> variants = JvmVariant.selected(archive);
    // A cloud link (broker, heartbeats, capture) as a fleet device runs: the MQTT client and the
    // protocol's JSON load with it, so its footprint is not the standalone agent's.
    String cloud =
        System.getProperty(
            "kiln.bench.deviceJvmCloud", System.getenv("KILN_BENCH_DEVICE_JVM_CLOUD"));
    try (Mosquitto broker = cloud == null ? null : Mosquitto.start(work.resolve("broker"))) {
      if (broker != null) {
        System.err.printf(
            "Every start has a cloud link: Mosquitto at %s, capture of %s%% of requests%n",
            broker.url(), cloud);
      }
      return rounds(
          model,
          starts,
          requests,
          variants,
          classpath,
          broker,
          cloud,
          natives,
          work,
          archiveMillis,
          loadBefore);
    }
  }

  private static Result rounds(
      BenchModel model,
      int starts,
      int requests,
      List<JvmVariant> variants,
      String classpath,
      Mosquitto broker,
      String capturePercent,
      Path natives,
      Path work,
      long archiveMillis,
      String loadBefore)
      throws Exception {
    double[][] first = new double[variants.size()][starts];
    double[][] cpu = new double[variants.size()][starts];
    double[][] rss = new double[variants.size()][starts];
    double[][] settled = new double[variants.size()][starts];
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
        AgentSetup setup = AgentSetup.of(model, 0, 1).withPort(port);
        if (broker != null) {
          setup = setup.withCloud(broker.url(), Double.parseDouble(capturePercent));
        }
        Files.writeString(config, setup.json(dir, "jvm"));
        Files.createDirectories(dir.resolve("state"));
        // Absolute: the work folder is relative to bench/run's tmpdir, and a relative target
        // would be read from the link's own folder (a broken link: every start unpacked ONNX
        // Runtime's libraries again).
        Files.createSymbolicLink(dir.resolve("state").resolve("native"), natives.toAbsolutePath());
        Invoker invoker = new Invoker("http://127.0.0.1:" + port, model.requestJson(), null);
        try (AgentProcess agent = AgentProcess.agent(config, log, variants.get(v), classpath)) {
          first[v][i] = agent.awaitFirstInferenceMillis(invoker, log, 180);
          cpu[v][i] = agent.cpuMillis();
          for (int r = 0; r < requests; r++) {
            long t = System.nanoTime();
            invoker.invoke();
            if (r >= requests / 2) {
              late[v][i * (requests - requests / 2) + r - requests / 2] =
                  (System.nanoTime() - t) / 1e6;
            }
          }
          rss[v][i] = agent.rssMib();
          TimeUnit.SECONDS.sleep(SETTLE_SECONDS);
          settled[v][i] = agent.rssMib();
          if (Boolean.getBoolean("kiln.bench.deviceJvmMaps")) {
            agent.writeMemoryMaps(dir);
          }
          String probe =
              System.getProperty(
                  "kiln.bench.deviceJvmProbe", System.getenv("KILN_BENCH_DEVICE_JVM_PROBE"));
          if (probe != null) {
            // A shell command run against the live agent ($PID), e.g. "sleep 6" for RSS once
            // the JVM's periodic tasks have run, or "jcmd $PID GC.run" for RSS after a full GC.
            ProcessBuilder pb = new ProcessBuilder("bash", "-c", probe).inheritIO();
            pb.environment().put("PID", Long.toString(agent.pid()));
            pb.start().waitFor();
            System.err.printf("  RSS after probe '%s': %.1f MiB%n", probe, agent.rssMib());
          }
        }
        System.err.printf(
            "%s start %d [%s]: first inference %.0f ms (%.0f ms CPU), RSS %.1f MiB, %.1f MiB %d s"
                + " later%n",
            model.name(),
            i,
            variants.get(v).name(),
            first[v][i],
            cpu[v][i],
            rss[v][i],
            settled[v][i],
            SETTLE_SECONDS);
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
              Stats.of(cpu[v]),
              Stats.of(rss[v]),
              Stats.of(settled[v]),
              Stats.of(late[v])));
    }
    return new Result(rows, archiveMillis, loadBefore, loadAverage(), SETTLE_SECONDS);
  }

  /** The agent jar and its dependencies, as {@code kiln-agent} and the unit put them. */
  public static String agentClasspath(Path repo) throws IOException {
    Path target = repo.resolve("edge-agent/target");
    List<String> entries = new ArrayList<>();
    try (Stream<Path> jars = Files.list(target)) {
      jars.filter(p -> p.getFileName().toString().matches("kiln-edge-agent-.*\\.jar"))
          .filter(p -> !p.getFileName().toString().endsWith("-sources.jar"))
          .forEach(p -> entries.add(p.toAbsolutePath().toString()));
    }
    if (entries.isEmpty()) {
      throw new IllegalStateException("no agent jar in " + target + "; build edge-agent first");
    }
    try (Stream<Path> jars = Files.list(target.resolve("lib"))) {
      jars.map(p -> p.toAbsolutePath().toString()).sorted().forEach(entries::add);
    }
    return String.join(File.pathSeparator, entries);
  }

  /** {@code kiln-agent cds}, as a device runs it; returns its wall time. */
  private static long dumpArchive(String classpath, Path archive, Path log) throws Exception {
    long started = System.nanoTime();
    Process dump =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                classpath,
                "dev.kiln.agent.cli.AgentMain",
                "cds",
                "--archive",
                archive.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (dump.waitFor() != 0) {
      throw new IllegalStateException("kiln-agent cds failed; see " + log);
    }
    return (System.nanoTime() - started) / 1_000_000;
  }

  /** The 1, 5 and 15 minute load averages, as /proc/loadavg has them. */
  public static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException e) {
      return "unknown";
    }
  }
}
