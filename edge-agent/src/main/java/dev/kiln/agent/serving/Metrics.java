package dev.kiln.agent.serving;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;

/**
 * Counters for {@code GET /metrics} in Prometheus text format 0.0.4. Hand-written because a metrics
 * library would be the agent's largest dependency for a few dozen lines of output.
 */
public final class Metrics {
  /** Latency histogram bucket bounds in seconds. */
  static final double[] BUCKETS = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
  };

  private record Key(String model, String variant) {}

  private static final class Series {
    final AtomicLong invocations = new AtomicLong();
    final AtomicLong errors = new AtomicLong();

    /**
     * Requests per bucket, each counted in its own bucket only: one atomic add per request where
     * cumulative counts took one per bucket above the latency (up to 13, on the request's thread).
     * {@link #cumulative} sums them as Prometheus wants.
     */
    final AtomicLongArray buckets = new AtomicLongArray(BUCKETS.length);

    final AtomicLong count = new AtomicLong();
    final AtomicLong sumMicros = new AtomicLong();

    /** Requests at or under each bound. */
    long[] cumulative() {
      long[] out = new long[BUCKETS.length];
      long running = 0;
      for (int i = 0; i < out.length; i++) {
        running += buckets.get(i);
        out[i] = running;
      }
      return out;
    }
  }

  private final Map<Key, Series> series = new ConcurrentHashMap<>();
  private final Map<String, Double> loadSeconds = new ConcurrentHashMap<>();
  private final AtomicLong httpErrors4xx = new AtomicLong();
  private final AtomicLong shadowErrors = new AtomicLong();
  private final List<Supplier<String>> gauges = new CopyOnWriteArrayList<>();
  private volatile java.util.function.IntSupplier inFlight = () -> 0;

  public void recordInvocation(String model, String variant, long micros, boolean error) {
    Series s = series.computeIfAbsent(new Key(model, variant), k -> new Series());
    s.invocations.incrementAndGet();
    if (error) {
      s.errors.incrementAndGet();
    }
    double seconds = micros / 1e6;
    for (int i = 0; i < BUCKETS.length; i++) {
      if (seconds <= BUCKETS[i]) {
        s.buckets.incrementAndGet(i);
        break;
      }
    }
    s.count.incrementAndGet();
    s.sumMicros.addAndGet(micros);
  }

  /** Counts since start over every model and variant; buckets are cumulative, as in Prometheus. */
  public record Window(long requests, long errors, long[] cumulativeBuckets) {
    /** Upper bounds of the buckets, in milliseconds. */
    public static double[] boundsMs() {
      double[] ms = new double[BUCKETS.length];
      for (int i = 0; i < ms.length; i++) {
        ms[i] = BUCKETS[i] * 1000;
      }
      return ms;
    }
  }

  public Window window() {
    long requests = 0;
    long errors = 0;
    long[] buckets = new long[BUCKETS.length];
    for (Series s : series.values()) {
      requests += s.count.get();
      errors += s.errors.get();
      long[] cumulative = s.cumulative();
      for (int i = 0; i < buckets.length; i++) {
        buckets[i] += cumulative[i];
      }
    }
    return new Window(requests, errors, buckets);
  }

  /**
   * Totals for heartbeats, keyed {@code <model>.<variant>.requests|errors|mean_ms}, plus {@code
   * requests.total} and {@code errors.total}: what the fleet console's health gates read.
   */
  public Map<String, Double> totals() {
    Map<String, Double> out = new java.util.TreeMap<>();
    long requests = 0;
    long errors = 0;
    for (Map.Entry<Key, Series> e : series.entrySet()) {
      String prefix = e.getKey().model() + "." + e.getKey().variant() + ".";
      Series s = e.getValue();
      long n = s.count.get();
      out.put(prefix + "requests", (double) s.invocations.get());
      out.put(prefix + "errors", (double) s.errors.get());
      out.put(prefix + "mean_ms", n == 0 ? 0.0 : s.sumMicros.get() / 1000.0 / n);
      requests += s.invocations.get();
      errors += s.errors.get();
    }
    out.put("requests.total", (double) requests);
    out.put("errors.total", (double) errors);
    out.put("http.4xx.total", (double) httpErrors4xx.get());
    return out;
  }

  public void recordLoad(String model, String version, long millis) {
    loadSeconds.put(model + "\u0000" + version, millis / 1000.0);
  }

  public void recordClientError() {
    httpErrors4xx.incrementAndGet();
  }

  public void recordShadowError() {
    shadowErrors.incrementAndGet();
  }

  /** The HTTP server's count of requests being handled (the scrape itself included). */
  public void setInFlight(java.util.function.IntSupplier inFlight) {
    this.inFlight = inFlight;
  }

  /** HTTP requests being served now: a benchmark yields while this is above zero. */
  public int inFlight() {
    return inFlight.getAsInt();
  }

  /**
   * Adds lines rendered on each scrape, in Prometheus text format: the registry's gauges, the cloud
   * link's capture counters.
   */
  public void addGauges(Supplier<String> lines) {
    gauges.add(lines);
  }

  public String render() {
    StringBuilder out = new StringBuilder();
    Map<Key, Series> sorted =
        new TreeMap<>((a, b) -> (a.model + a.variant).compareTo(b.model + b.variant));
    sorted.putAll(series);
    out.append("# HELP kiln_invocations_total Inferences served, by model and variant.\n");
    out.append("# TYPE kiln_invocations_total counter\n");
    sorted.forEach((k, s) -> line(out, "kiln_invocations_total", labels(k), s.invocations.get()));
    out.append("# HELP kiln_invocation_errors_total Inferences that failed in the engine.\n");
    out.append("# TYPE kiln_invocation_errors_total counter\n");
    sorted.forEach((k, s) -> line(out, "kiln_invocation_errors_total", labels(k), s.errors.get()));
    out.append("# HELP kiln_invocation_latency_seconds Inference latency.\n");
    out.append("# TYPE kiln_invocation_latency_seconds histogram\n");
    sorted.forEach(
        (k, s) -> {
          long[] cumulative = s.cumulative();
          for (int i = 0; i < BUCKETS.length; i++) {
            line(
                out,
                "kiln_invocation_latency_seconds_bucket",
                labels(k) + ",le=\"" + BUCKETS[i] + "\"",
                cumulative[i]);
          }
          line(
              out,
              "kiln_invocation_latency_seconds_bucket",
              labels(k) + ",le=\"+Inf\"",
              s.count.get());
          out.append("kiln_invocation_latency_seconds_sum{")
              .append(labels(k))
              .append("} ")
              .append(s.sumMicros.get() / 1e6)
              .append('\n');
          line(out, "kiln_invocation_latency_seconds_count", labels(k), s.count.get());
        });
    out.append("# HELP kiln_model_load_seconds Time the last load of a model version took.\n");
    out.append("# TYPE kiln_model_load_seconds gauge\n");
    new TreeMap<>(loadSeconds)
        .forEach(
            (k, v) -> {
              String[] parts = k.split("\u0000", 2);
              out.append("kiln_model_load_seconds{model=\"")
                  .append(escape(parts[0]))
                  .append("\",version=\"")
                  .append(escape(parts[1]))
                  .append("\"} ")
                  .append(v)
                  .append('\n');
            });
    out.append("# TYPE kiln_http_client_errors_total counter\n");
    line(out, "kiln_http_client_errors_total", null, httpErrors4xx.get());
    out.append("# TYPE kiln_shadow_errors_total counter\n");
    line(out, "kiln_shadow_errors_total", null, shadowErrors.get());
    out.append("# TYPE kiln_http_requests_in_flight gauge\n");
    line(out, "kiln_http_requests_in_flight", null, inFlight.getAsInt());
    gauges.forEach(g -> out.append(g.get()));
    jvm(out);
    return out.toString();
  }

  private static void jvm(StringBuilder out) {
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    MemoryUsage nonHeap = ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage();
    out.append("# HELP kiln_jvm_memory_used_bytes JVM memory in use.\n");
    out.append("# TYPE kiln_jvm_memory_used_bytes gauge\n");
    line(out, "kiln_jvm_memory_used_bytes", "area=\"heap\"", heap.getUsed());
    line(out, "kiln_jvm_memory_used_bytes", "area=\"nonheap\"", nonHeap.getUsed());
    out.append("# TYPE kiln_jvm_memory_max_bytes gauge\n");
    line(out, "kiln_jvm_memory_max_bytes", "area=\"heap\"", heap.getMax());
    long rss = residentBytes();
    if (rss >= 0) {
      out.append("# HELP process_resident_memory_bytes Resident set size, engines included.\n");
      out.append("# TYPE process_resident_memory_bytes gauge\n");
      line(out, "process_resident_memory_bytes", null, rss);
    }
  }

  /** VmRSS from /proc (Linux); -1 elsewhere. */
  public static long residentBytes() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (l.startsWith("VmRSS:")) {
          return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  static void line(StringBuilder out, String name, String labels, double value) {
    out.append(name);
    if (labels != null) {
      out.append('{').append(labels).append('}');
    }
    out.append(' ');
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      out.append((long) value);
    } else {
      out.append(value);
    }
    out.append('\n');
  }

  private static String labels(Key k) {
    return "model=\"" + escape(k.model) + "\",variant=\"" + escape(k.variant) + "\"";
  }

  static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
