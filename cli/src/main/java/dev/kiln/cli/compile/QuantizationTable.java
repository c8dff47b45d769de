package dev.kiln.cli.compile;

import dev.kiln.artifact.Manifest;
import dev.kiln.compiler.accuracy.GateResult;
import dev.kiln.compiler.accuracy.OutputFigures;
import dev.kiln.compiler.pipeline.QuantizationReport;
import dev.kiln.table.TextTable;
import java.util.List;
import java.util.Map;

/**
 * The {@code --quantize} part of the compile report: what shipped and why, size and latency of fp32
 * compiled vs reduced, the accuracy gate's figures per output, and the per-op precision table.
 */
final class QuantizationTable {
  private static final List<String> PRECISIONS = List.of("int8", "fp16", "fp32");

  private QuantizationTable() {}

  static String render(QuantizationReport q) {
    StringBuilder out = new StringBuilder();
    Manifest.Quantization m = q.quantization();
    out.append("Precision ")
        .append(q.requested())
        .append(" requested, ")
        .append(q.shipped())
        .append(" shipped: ")
        .append(q.decision())
        .append('\n');
    out.append("Scheme    ").append(m.scheme()).append('\n');
    out.append("          why: ").append(m.why()).append('\n');
    if (m.calibration() != null) {
      out.append("          calibration: ")
          .append(m.calibration())
          .append(" on ")
          .append(m.calibrationSamples())
          .append(" samples\n");
    }
    GateResult g = q.gate();
    out.append("Gate      ")
        .append(g.passed() ? "PASS " : "FAIL ")
        .append(g.summary())
        .append(" (")
        .append(m.verifiedOn())
        .append(")\n");
    out.append(
        String.format(
            "          thresholds: top-1 agreement >= %.1f%%, SQNR >= %.1f dB, relative error <= %.3g%n",
            100 * g.thresholds().minTop1Agreement(),
            g.thresholds().minSqnrDb(),
            g.thresholds().maxRelativeError()));
    out.append("Held out  ").append(q.heldOutSamples()).append("\n\n");
    out.append(sizeAndLatency(q)).append('\n');
    out.append(gateTable(g)).append('\n');
    out.append(opTable(m)).append('\n');
    for (Manifest.KeptNode k : m.keptFp32()) {
      if (k.reason() != null && k.reason().startsWith("sensitivity")) {
        out.append("kept fp32 ")
            .append(k.node())
            .append(" (")
            .append(k.opType())
            .append("): ")
            .append(k.reason())
            .append('\n');
      }
    }
    return out.toString();
  }

  private static String sizeAndLatency(QuantizationReport q) {
    TextTable t = new TextTable("measure", "fp32 compiled", q.requested(), "ratio");
    t.row(
        "size (bytes)",
        q.fp32PayloadBytes(),
        q.reducedPayloadBytes(),
        String.format("%.2fx", q.sizeRatio()));
    if (q.fp32Compiled() != null) {
      Manifest.Timing a = q.fp32Compiled();
      Manifest.Timing b = q.reduced();
      t.row("p50 latency (ms)", fmt(a.p50Ms()), fmt(b.p50Ms()), ratio(b.p50Ms(), a.p50Ms()));
      t.row("p95 latency (ms)", fmt(a.p95Ms()), fmt(b.p95Ms()), ratio(b.p95Ms(), a.p95Ms()));
    } else {
      t.row("latency", "-", "-", q.notTimed());
    }
    return t.render();
  }

  private static String gateTable(GateResult g) {
    TextTable t =
        new TextTable("output", "top-1 agreement", "ties", "SQNR (dB)", "rel error", "max abs");
    for (OutputFigures f : g.outputs()) {
      t.row(
          f.output(),
          f.top1Agreement() == null ? "-" : String.format("%.1f%%", 100 * f.top1Agreement()),
          f.ties(),
          Double.isInfinite(f.sqnrDb()) ? "inf" : String.format("%.1f", f.sqnrDb()),
          String.format("%.3g", f.relativeError()),
          String.format("%.3g", f.maxAbsError()));
    }
    return t.render();
  }

  private static String opTable(Manifest.Quantization m) {
    TextTable t = new TextTable("op", "int8", "fp16", "fp32");
    for (Manifest.OpPrecision op : m.ops()) {
      Map<String, Integer> c = op.counts();
      t.row(
          op.opType(),
          c.getOrDefault(PRECISIONS.get(0), 0),
          c.getOrDefault(PRECISIONS.get(1), 0),
          c.getOrDefault(PRECISIONS.get(2), 0));
    }
    return t.render();
  }

  private static String fmt(double ms) {
    return String.format("%.3f", ms);
  }

  private static String ratio(double reduced, double fp32) {
    return fp32 <= 0 ? "-" : String.format("%.2fx", reduced / fp32);
  }
}
