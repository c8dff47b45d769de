package dev.kiln.bench.http;

import dev.kiln.bench.Stats;
import dev.kiln.bench.http.HttpServersBench.Cell;
import dev.kiln.bench.http.HttpServersBench.Footprint;
import dev.kiln.bench.http.HttpServersBench.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Markdown tables of an http-servers run; every ratio is against the JDK server of that run. */
public final class HttpServersReport {
  private HttpServersReport() {}

  public static void print(Run run) {
    HttpServersBench.Settings s = run.settings();
    System.out.printf(
        Locale.ROOT,
        "Each server in its own JVM (-Xmx%s), %d worker threads, one I/O thread; clients:"
            + " keep-alive sockets in the parent, closed loop, %.0f s warm-up then %.0f s"
            + " measured per cell; request body %d bytes, reply %d bytes (/invocations),"
            + " %d bytes (/ping).%n%n",
        run.heap(),
        run.threads(),
        s.warmupSeconds(),
        s.seconds(),
        Payloads.INVOCATION_BODY.length,
        Payloads.INVOCATION_REPLY.length,
        Payloads.PING_REPLY.length);
    System.out.println(
        "| route | connections | server | req/s | req/s vs JDK | p50 ms | p99 ms"
            + " | server CPU µs/request | CPU vs JDK | failures |");
    System.out.println("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|");
    for (Cell c : run.cells().stream().sorted(HttpServersReport::byTableOrder).toList()) {
      Cell jdk = baseline(run, c);
      ClosedLoopLoad.Result r = c.load();
      Stats l = r.latency();
      System.out.printf(
          Locale.ROOT,
          "| %s | %d | %s | %.0f | %s | %s | %s | %.0f | %s | %d |%n",
          c.request().label(),
          c.connections(),
          c.candidate().label(),
          r.requestsPerSecond(),
          ratio(r.requestsPerSecond(), jdk.load().requestsPerSecond()),
          l == null ? "-" : String.format(Locale.ROOT, "%.3f", l.p50()),
          l == null ? "-" : String.format(Locale.ROOT, "%.3f", l.p99()),
          r.serverCpuMicrosPerRequest(),
          ratio(r.serverCpuMicrosPerRequest(), jdk.load().serverCpuMicrosPerRequest()),
          r.failures());
    }
    System.out.println();
    Footprint jdk = run.footprints().get(0);
    System.out.println(
        "| server | spawn to serving, ms | CPU s to start | idle RSS, MiB | peak RSS, MiB"
            + " | peak vs JDK | RSS after load, MiB | threads idle / after load"
            + " | probe while "
            + run.settings().slowConnections()
            + " clients trickle |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---|");
    for (Footprint f : run.footprints()) {
      System.out.printf(
          Locale.ROOT,
          "| %s | %.0f | %.2f | %.1f | %.1f | %s | %.1f | %d / %d | %s |%n",
          f.candidate().label(),
          f.startMillis(),
          f.idle().cpuSeconds(),
          f.idle().rssMiB(),
          f.loaded().peakRssMiB(),
          ratio(f.loaded().peakRssMiB(), jdk.loaded().peakRssMiB()),
          f.loaded().rssMiB(),
          f.idle().threads(),
          f.loaded().threads(),
          probe(f.slow(), run.settings().probeTimeoutMillis()));
    }
    System.out.println();
    System.out.println("load average at the end: " + loadAverage());
  }

  /** Route, then connections, then the candidates' fixed order (not the rotated run order). */
  private static int byTableOrder(Cell a, Cell b) {
    int c = a.request().compareTo(b.request());
    if (c == 0) {
      c = Integer.compare(a.connections(), b.connections());
    }
    return c != 0 ? c : a.candidate().compareTo(b.candidate());
  }

  private static Cell baseline(Run run, Cell c) {
    return run.cells().stream()
        .filter(
            b ->
                b.candidate() == Candidate.JDK
                    && b.request() == c.request()
                    && b.connections() == c.connections())
        .findFirst()
        .orElseThrow();
  }

  private static String ratio(double value, double baseline) {
    return String.format(Locale.ROOT, "%.2fx", value / baseline);
  }

  private static String probe(SlowClients.Result r, int timeoutMillis) {
    if (r.answered() == r.probes()) {
      return String.format(
          Locale.ROOT,
          "%d/%d answered, slowest %.0f ms",
          r.answered(),
          r.probes(),
          r.worstMillis());
    }
    return String.format(
        Locale.ROOT,
        "%d/%d answered within %.0f s: stalled",
        r.answered(),
        r.probes(),
        timeoutMillis / 1000.0);
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
