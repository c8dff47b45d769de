package dev.kiln.cloud.monitor;

import dev.kiln.artifact.baseline.Baseline;
import dev.kiln.artifact.baseline.Feature;
import dev.kiln.cloud.CloudErrorCode;
import dev.kiln.cloud.CloudException;
import dev.kiln.cloud.store.CaptureStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One drift check: reads a window of captures once, counts each group's records into the baseline's
 * bins, then measures each feature and the class mix against the baseline. Memory is bounded by
 * groups times features times bins; records stream through.
 */
public final class DriftCheck {
  /** Threads one check uses at most; more add little once DuckDB's own reading is the limit. */
  static final int MAX_THREADS = 4;

  private final Baseline baseline;
  private final Thresholds thresholds;
  private final Set<Scope> scopes;

  public DriftCheck(Baseline baseline, Thresholds thresholds, Set<Scope> scopes) {
    this.baseline = baseline;
    this.thresholds = thresholds;
    this.scopes = Set.copyOf(scopes);
  }

  private record Group(Scope scope, String version, String device) {}

  /**
   * Checks the captures of the baseline's model between {@code fromMs} and {@code untilMs}. The
   * window is cut into as many time slices as there are cores (at most {@link #MAX_THREADS}); each
   * slice is read on its own connection and thread, and the counts are added up: decoding tensors
   * is the cost, and it splits evenly.
   */
  public DriftReport run(CaptureStore store, String version, long fromMs, long untilMs) {
    DriftPlan plan = new DriftPlan(baseline);
    int threads =
        (int)
            Math.max(
                1,
                Math.min(
                    Math.min(MAX_THREADS, Runtime.getRuntime().availableProcessors()),
                    untilMs - fromMs));
    long step = (untilMs - fromMs) / threads;
    List<Callable<Slice>> slices = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      long from = fromMs + t * step;
      long until = t == threads - 1 ? untilMs : from + step;
      slices.add(() -> count(store, version, from, until, new DriftPlan(baseline)));
    }
    Map<Group, WindowCounts> groups = new LinkedHashMap<>();
    long rows = 0;
    ExecutorService pool = Executors.newFixedThreadPool(threads, DriftCheck::daemon);
    try {
      for (Future<Slice> f : pool.invokeAll(slices)) {
        Slice s = f.get();
        rows += s.rows();
        s.groups()
            .forEach(
                (g, w) ->
                    groups.merge(
                        g,
                        w,
                        (a, b) -> {
                          a.merge(b);
                          return a;
                        }));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CloudException(CloudErrorCode.QUERY_FAILED, "drift check interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new CloudException(CloudErrorCode.QUERY_FAILED, e.getCause().toString(), e);
    } finally {
      pool.shutdownNow();
    }
    List<Measurement> out = new ArrayList<>();
    int skipped = 0;
    for (Map.Entry<Group, WindowCounts> e : groups.entrySet()) {
      if (e.getValue().records < thresholds.minRecords()) {
        skipped++;
        continue;
      }
      measure(e.getKey(), e.getValue(), plan, out);
    }
    return new DriftReport(baseline.model(), fromMs, untilMs, rows, skipped, out);
  }

  private record Slice(long rows, Map<Group, WindowCounts> groups) {}

  private static Thread daemon(Runnable r) {
    Thread t = new Thread(r, "kiln-drift-check");
    t.setDaemon(true);
    return t;
  }

  /** Reads one time slice and counts it into the baseline's bins, per group. */
  private Slice count(
      CaptureStore store, String version, long fromMs, long untilMs, DriftPlan plan) {
    int n = plan.features().size();
    double[] values = new double[n];
    boolean[] present = new boolean[n];
    int[] bin = new int[n];
    int[] cdfBin = new int[n];
    Map<Group, WindowCounts> groups = new LinkedHashMap<>();
    long rows =
        CaptureScan.scan(
            store,
            new CaptureWindow(baseline.model(), version, fromMs, untilMs),
            false,
            (v, device, top, max, inputs) -> {
              plan.reduce(inputs, max, values, present);
              for (int f = 0; f < n; f++) {
                boolean counted = present[f] && !Double.isNaN(values[f]);
                bin[f] = counted ? plan.features().get(f).bins().bin(values[f]) : -1;
                cdfBin[f] = counted ? plan.features().get(f).cdfBins().bin(values[f]) : -1;
              }
              for (Scope s : scopes) {
                Group g =
                    switch (s) {
                      case FLEET -> new Group(s, null, null);
                      case VERSION -> new Group(s, v, null);
                      case DEVICE -> new Group(s, v, device);
                    };
                groups.computeIfAbsent(g, k -> new WindowCounts(plan)).add(bin, cdfBin, top);
              }
            });
    return new Slice(rows, groups);
  }

  private void measure(Group g, WindowCounts w, DriftPlan plan, List<Measurement> out) {
    for (int f = 0; f < plan.features().size(); f++) {
      Feature base = plan.features().get(f);
      long[] bins = w.bins[f];
      if (DriftMeasures.sum(bins) == 0 || base.bins().total() == 0) {
        continue;
      }
      String name = plan.name(f);
      add(out, g, w, name, "psi", DriftMeasures.psi(base.bins().counts(), bins), thresholds.psi());
      add(
          out,
          g,
          w,
          name,
          "js",
          DriftMeasures.jsDistance(base.bins().counts(), bins),
          thresholds.js());
      long[] cdf = w.cdfBins[f];
      double d = DriftMeasures.ksD(base.cdfBins().counts(), cdf);
      double p = DriftMeasures.ksPValue(d, base.cdfBins().total(), (long) DriftMeasures.sum(cdf));
      out.add(
          new Measurement(
              g.scope(),
              g.version(),
              g.device(),
              name,
              "ks",
              d,
              thresholds.ksD(),
              w.records,
              d > thresholds.ksD() && p < thresholds.ksP()));
    }
    if (baseline.output() != null && baseline.output().classifier() && !w.classes.isEmpty()) {
      classMix(g, w, out);
    }
  }

  /** PSI, JS and the largest share change over the classes either side predicted. */
  private void classMix(Group g, WindowCounts w, List<Measurement> out) {
    Set<Integer> classes = new TreeSet<>(w.classes.keySet());
    for (String k : baseline.output().classes().keySet()) {
      classes.add(Integer.valueOf(k));
    }
    long[] expected = new long[classes.size()];
    long[] actual = new long[classes.size()];
    int i = 0;
    for (int c : classes) {
      expected[i] = baseline.output().classes().getOrDefault(String.valueOf(c), 0L);
      actual[i] = w.classes.getOrDefault(c, 0L);
      i++;
    }
    if (DriftMeasures.sum(expected) == 0) {
      return;
    }
    String name = DriftPlan.OUTPUT;
    add(out, g, w, name, "psi", DriftMeasures.psi(expected, actual), thresholds.psi());
    add(out, g, w, name, "js", DriftMeasures.jsDistance(expected, actual), thresholds.js());
    add(
        out,
        g,
        w,
        name,
        "class_shift",
        DriftMeasures.maxShareChange(expected, actual),
        thresholds.classShift());
  }

  private static void add(
      List<Measurement> out,
      Group g,
      WindowCounts w,
      String feature,
      String measure,
      double value,
      double threshold) {
    out.add(
        new Measurement(
            g.scope(),
            g.version(),
            g.device(),
            feature,
            measure,
            value,
            threshold,
            w.records,
            value > threshold));
  }
}
