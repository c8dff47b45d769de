package dev.kiln.cli.compile;

import dev.kiln.artifact.Manifest;
import dev.kiln.compiler.pipeline.CompileReport;
import dev.kiln.table.TextTable;
import java.util.TreeSet;

/** The compile report as people read it: a summary, op counts, passes, error and timings. */
final class CompileReportTable {
  private CompileReportTable() {}

  static String render(CompileReport r) {
    StringBuilder out = new StringBuilder();
    out.append("\nArtifact  ")
        .append(r.artifact())
        .append(r.signed() ? "  (signed)" : "  (unsigned)")
        .append('\n');
    out.append("Model     ").append(r.model()).append(' ').append(r.version()).append('\n');
    out.append("Target    ")
        .append(r.profile())
        .append(" (")
        .append(r.arch())
        .append("), ")
        .append(r.engine())
        .append(' ')
        .append(r.executionProviders())
        .append('\n');
    out.append("Optimizer ")
        .append(r.optimizerReason())
        .append("; payload ")
        .append(r.payloadFormat())
        .append("\n\n");

    if (!r.opsBefore().isEmpty() || !r.opsAfter().isEmpty()) {
      out.append(opTable(r)).append('\n');
    }
    if (!r.passes().isEmpty()) {
      out.append(passTable(r)).append('\n');
    }
    out.append(measureTable(r)).append('\n');
    if (r.quantization() != null) {
      out.append(QuantizationTable.render(r.quantization())).append('\n');
    }
    out.append(verdict(r));
    return out.toString();
  }

  private static String opTable(CompileReport r) {
    TextTable ops = new TextTable("op", "before", "after");
    TreeSet<String> names = new TreeSet<>(r.opsBefore().keySet());
    names.addAll(r.opsAfter().keySet());
    for (String op : names) {
      ops.row(op, r.opsBefore().getOrDefault(op, 0), r.opsAfter().getOrDefault(op, 0));
    }
    ops.row("total nodes", r.nodesBefore(), r.nodesAfter());
    return ops.render();
  }

  private static String passTable(CompileReport r) {
    TextTable passes = new TextTable("pass", "changed", "nodes", "detail");
    for (Manifest.PassRecord p : r.passes()) {
      String nodes =
          p.nodesAfter() < 0
              ? p.nodesBefore() + " -> (ORT)"
              : p.nodesBefore() + " -> " + p.nodesAfter();
      passes.row(p.name(), p.changed() ? "yes" : "no", nodes, p.detail());
    }
    return passes.render();
  }

  private static String measureTable(CompileReport r) {
    TextTable summary = new TextTable("measure", "source", "compiled", "ratio");
    summary.row(
        "size (bytes)",
        r.sourceBytes(),
        r.payloadBytes(),
        ratio(r.payloadBytes(), r.sourceBytes()));
    if (r.benchmark() != null) {
      Manifest.Timing s = r.benchmark().source();
      Manifest.Timing c = r.benchmark().compiled();
      summary.row("load (ms)", fmt(s.loadMs()), fmt(c.loadMs()), ratio(c.loadMs(), s.loadMs()));
      summary.row("p50 latency (ms)", fmt(s.p50Ms()), fmt(c.p50Ms()), ratio(c.p50Ms(), s.p50Ms()));
      summary.row("p95 latency (ms)", fmt(s.p95Ms()), fmt(c.p95Ms()), ratio(c.p95Ms(), s.p95Ms()));
    }
    return summary.render();
  }

  private static String verdict(CompileReport r) {
    Manifest.Verification v = r.verification();
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            "Verified  %s: max abs error %.3e, max rel error %.3e (tolerance %.0e, %d samples)%n",
            v.passed() ? "PASS" : "FAIL",
            v.maxAbsError(),
            v.maxRelError(),
            v.tolerance(),
            v.samples()));
    if (!r.worstDifference().isEmpty()) {
      out.append("          worst: ").append(r.worstDifference()).append('\n');
    }
    if (r.inputShapes() != null) {
      out.append("Shapes    ")
          .append(r.inputShapes())
          .append(r.benchmark() != null ? ", for verification and benchmark" : ", for verification")
          .append('\n');
    }
    if (r.baseline() != null) {
      out.append("Baseline  ").append(r.baseline()).append('\n');
    }
    if (r.benchmark() != null) {
      String baseline =
          "torchscript".equals(r.sourceFramework())
              ? "the TorchScript source runs in libtorch"
              : "the source runs at ONNX Runtime defaults";
      out.append("Measured  on this host (")
          .append(r.benchmark().host())
          .append("), ")
          .append(r.benchmark().runs())
          .append(" runs each; ")
          .append(baseline)
          .append('\n');
    }
    for (String w : r.warnings()) {
      out.append("warning: ").append(w).append('\n');
    }
    return out.toString();
  }

  private static String fmt(double ms) {
    return String.format("%.3f", ms);
  }

  private static String ratio(double compiled, double source) {
    return source <= 0 ? "-" : String.format("%.2fx", compiled / source);
  }
}
