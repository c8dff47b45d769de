package dev.kiln.bench.http;

import dev.kiln.agent.config.AgentConfig;
import dev.kiln.bench.fleet.ProcStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench/run http-servers}: every candidate in its own JVM, all started before the first
 * measurement and driven one at a time, cell by cell (route x connections), with the order of the
 * candidates rotated every cell, so that the load of a shared machine falls on all of them alike
 * and the ratios against the JDK server come from the same minutes. The slow-client probe runs
 * last, after every load cell, because it may leave a worker-per-request server stalled.
 */
public final class HttpServersBench {
  /** How long and how hard; {@link #quick()} is a smoke test of the whole path. */
  public record Settings(
      int[] connections,
      double jitSeconds,
      double warmupSeconds,
      double seconds,
      int slowConnections,
      long trickleSeconds,
      int probes,
      int probeTimeoutMillis) {
    public static Settings full(double seconds) {
      return new Settings(new int[] {1, 8, 64}, 10, 2, seconds, 64, 5, 3, 10_000);
    }

    public static Settings quick() {
      return new Settings(new int[] {1, 8}, 1, 0.5, 1, 64, 5, 1, 3_000);
    }
  }

  /** One measured cell: a route, a number of connections, a candidate. */
  record Cell(Requests request, int connections, Candidate candidate, ClosedLoopLoad.Result load) {}

  /**
   * A candidate's process over the whole run.
   *
   * @param startMillis spawn until bound and serving
   * @param idle after start, one {@code /ping} and a second of rest
   * @param loaded after every load cell; {@code peakRssMiB} is the most it was ever resident
   */
  record Footprint(
      Candidate candidate,
      double startMillis,
      ProcStats idle,
      ProcStats loaded,
      SlowClients.Result slow) {}

  public record Run(
      int threads, String heap, Settings settings, List<Cell> cells, List<Footprint> footprints) {}

  private HttpServersBench() {}

  /** Worker threads for every candidate: the agent's default {@code threads.http}. */
  static int workerThreads() {
    int agentDefault = AgentConfig.Threads.defaultHttp(Runtime.getRuntime().availableProcessors());
    return Integer.getInteger("kiln.bench.httpThreads", agentDefault);
  }

  public static Run run(Path repo, Settings settings) throws Exception {
    int threads = workerThreads();
    Path work = Files.createDirectories(repo.resolve("target/bench-tmp/http-servers"));
    List<ServerProcess> servers = new ArrayList<>();
    try {
      List<Double> starts = new ArrayList<>();
      for (Candidate c : Candidate.values()) {
        ServerProcess p =
            ServerProcess.start(c, threads, work.resolve(c.name().toLowerCase() + ".log"));
        servers.add(p);
        starts.add(p.startMillis());
        checkServes(p);
      }
      TimeUnit.SECONDS.sleep(1);
      List<ProcStats> idle = new ArrayList<>();
      for (ServerProcess p : servers) {
        idle.add(p.stats());
      }
      for (ServerProcess p : servers) {
        progress("JIT warm-up: " + p.candidate().label());
        ClosedLoopLoad.run(p, Requests.PING, 8, 0, settings.jitSeconds() / 2);
        ClosedLoopLoad.run(p, Requests.INVOCATIONS, 8, 0, settings.jitSeconds() / 2);
      }
      List<Cell> cells = new ArrayList<>();
      int round = 0;
      for (Requests r : Requests.values()) {
        for (int conns : settings.connections()) {
          for (int k = 0; k < servers.size(); k++) {
            ServerProcess p = servers.get((round + k) % servers.size());
            progress(r.label() + ", " + conns + " connections: " + p.candidate().label());
            cells.add(
                new Cell(
                    r,
                    conns,
                    p.candidate(),
                    ClosedLoopLoad.run(p, r, conns, settings.warmupSeconds(), settings.seconds())));
          }
          round++;
        }
      }
      List<ProcStats> loaded = new ArrayList<>();
      for (ServerProcess p : servers) {
        loaded.add(p.stats());
      }
      List<Footprint> footprints = new ArrayList<>();
      for (int i = 0; i < servers.size(); i++) {
        ServerProcess p = servers.get(i);
        progress("slow clients: " + p.candidate().label());
        SlowClients.Result slow =
            SlowClients.run(
                p.port(),
                settings.slowConnections(),
                settings.trickleSeconds(),
                settings.probes(),
                settings.probeTimeoutMillis());
        footprints.add(
            new Footprint(p.candidate(), starts.get(i), idle.get(i), loaded.get(i), slow));
      }
      return new Run(threads, ServerProcess.HEAP, settings, cells, footprints);
    } finally {
      for (ServerProcess p : servers) {
        p.close();
      }
    }
  }

  /** Both routes answer 200 with the agreed bytes' lengths, or every figure would be of errors. */
  private static void checkServes(ServerProcess p) throws Exception {
    try (KeepAliveConnection c = KeepAliveConnection.open(p.port(), 10_000)) {
      for (Requests r : Requests.values()) {
        int status = c.exchange(r);
        if (status != 200) {
          throw new IllegalStateException(p.candidate() + " answered " + status + " to " + r);
        }
      }
    }
  }

  /** Progress on stderr, so stdout stays the markdown to paste. */
  private static void progress(String what) {
    System.err.println("http-servers: " + what);
  }
}
