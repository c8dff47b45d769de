package dev.kiln.cli.recommend;

import dev.kiln.link.protocol.BenchmarkReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The table {@code kiln recommend} prints: one row per artifact and configuration, the recommended
 * one marked with {@code *}, skipped ones with their reason.
 */
public final class ReportTable {
  static final List<String> HEADER =
      List.of(
          "",
          "ARTIFACT",
          "PRECISION",
          "THREADS",
          "PREDICTORS",
          "BATCH",
          "CLIENTS",
          "REQUESTS",
          "P50 MS",
          "P95 MS",
          "P99 MS",
          "REQ/S",
          "RSS MIB");

  private ReportTable() {}

  public static String render(BenchmarkReport report, BenchmarkReport.Row recommended) {
    List<List<String>> lines = new ArrayList<>();
    lines.add(HEADER);
    List<String> notes = new ArrayList<>();
    for (BenchmarkReport.Row r : report.rows()) {
      var c = r.config();
      List<String> cells = new ArrayList<>();
      cells.add(r == recommended ? "*" : "");
      cells.add(r.artifact());
      cells.add(r.precision());
      cells.add(Integer.toString(c.threads()));
      cells.add(Integer.toString(c.predictors()));
      cells.add(c.batching() ? Integer.toString(c.maxBatchSize()) : "off");
      cells.add(Integer.toString(c.concurrency()));
      if (r.measured()) {
        cells.add(r.requests() + (r.errors() > 0 ? " (" + r.errors() + " failed)" : ""));
        cells.add(fmt(r.p50Ms()));
        cells.add(fmt(r.p95Ms()));
        cells.add(fmt(r.p99Ms()));
        cells.add(String.format(Locale.ROOT, "%.1f", r.throughput()));
        cells.add(r.rssMiB() < 0 ? "-" : String.format(Locale.ROOT, "%.0f", r.rssMiB()));
      } else {
        cells.add("skipped");
        for (int i = 0; i < 5; i++) {
          cells.add("-");
        }
        notes.add(r.artifact() + " " + c.label() + ": " + r.skipped());
      }
      lines.add(cells);
    }
    StringBuilder out = new StringBuilder(table(lines));
    for (String n : notes) {
      out.append("skipped ").append(n).append('\n');
    }
    long yielded = report.rows().stream().mapToLong(BenchmarkReport.Row::yieldedMs).sum();
    if (yielded > 0) {
      out.append(
          String.format(
              Locale.ROOT,
              "the load paused %.1f s (client time) while production requests were in flight%n",
              yielded / 1000.0));
    }
    return out.toString();
  }

  /** Milliseconds with three significant decimals for small values, fewer for large ones. */
  static String fmt(double ms) {
    if (ms >= 100) {
      return String.format(Locale.ROOT, "%.0f", ms);
    }
    if (ms >= 10) {
      return String.format(Locale.ROOT, "%.1f", ms);
    }
    return String.format(Locale.ROOT, "%.3f", ms);
  }

  private static String table(List<List<String>> lines) {
    int cols = lines.get(0).size();
    int[] width = new int[cols];
    for (List<String> l : lines) {
      for (int i = 0; i < cols; i++) {
        width[i] = Math.max(width[i], l.get(i).length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (List<String> l : lines) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < cols; i++) {
        if (i > 0) {
          line.append(i == 1 ? " " : "  ");
        }
        line.append(String.format("%-" + Math.max(1, width[i]) + "s", l.get(i)));
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    return out.toString();
  }
}
