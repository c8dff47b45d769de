package dev.kiln.cloud.cli;

import dev.kiln.artifact.baseline.Baseline;
import dev.kiln.artifact.baseline.BaselineFiles;
import dev.kiln.cloud.CloudErrorCode;
import dev.kiln.cloud.CloudException;
import dev.kiln.cloud.monitor.CaptureBaselines;
import dev.kiln.cloud.monitor.CaptureWindow;
import dev.kiln.cloud.monitor.DriftCheck;
import dev.kiln.cloud.monitor.Measurement;
import dev.kiln.cloud.monitor.Monitor;
import dev.kiln.cloud.monitor.Scope;
import dev.kiln.cloud.monitor.Thresholds;
import dev.kiln.cloud.monitor.ViolationTable;
import dev.kiln.cloud.monitor.WindowLength;
import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.error.ExitCode;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.table.TextTable;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kiln monitor}: baselines from captured traffic, drift checks, their violations. */
@Command(
    name = "monitor",
    mixinStandardHelpOptions = true,
    description = "Model monitoring: baselines, drift checks and violations (docs/monitoring.md).",
    subcommands = {
      MonitorCommand.BaselineCmd.class,
      MonitorCommand.Check.class,
      MonitorCommand.Status.class
    })
public final class MonitorCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "baseline",
      mixinStandardHelpOptions = true,
      description = {
        "Build a baseline (baseline.json) from a period of captured traffic, for a model compiled",
        "without real inputs. Streams the captures; memory does not grow with their number."
      })
  static final class BaselineCmd implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin DataCommand.DbOption db;

    @Option(names = "--model", required = true, description = "Model name.")
    String model;

    @Option(names = "--version", description = "Only this model version (default: all).")
    String version;

    @Option(names = "--since", description = "Captures at or after T (instant or UTC date).")
    String since;

    @Option(names = "--until", description = "Captures before T (instant or UTC date).")
    String until;

    @Option(names = "--out", required = true, description = "Where to write the baseline.")
    Path out;

    @Override
    public Integer call() {
      Baseline b;
      try (CaptureStore store = CaptureStore.openReadOnly(db.db)) {
        b =
            CaptureBaselines.build(
                store,
                new CaptureWindow(
                    model, version, DataCommand.parseSince(since), parseTime("--until", until)),
                System.currentTimeMillis());
      }
      BaselineFiles.write(b, out);
      spec.commandLine()
          .getOut()
          .printf(
              "baseline of %s from %d records: %d input features, output %s; wrote %s%n",
              model,
              b.records(),
              b.inputs().size(),
              b.output() == null ? "not captured" : b.output().kind(),
              out);
      return 0;
    }
  }

  /** Threshold options, defaults from {@link Thresholds#DEFAULTS}. */
  public static final class ThresholdOptions {
    @Option(names = "--psi", description = "PSI threshold (default 0.2).")
    Double psi;

    @Option(names = "--js", description = "Jensen-Shannon distance threshold (default 0.1).")
    Double js;

    @Option(names = "--ks-d", description = "Kolmogorov-Smirnov D threshold (default 0.1).")
    Double ksD;

    @Option(names = "--ks-p", description = "KS p-value must also be under this (default 0.01).")
    Double ksP;

    @Option(
        names = "--class-shift",
        description = "Largest change of one class's share (default 0.1).")
    Double classShift;

    @Option(
        names = "--min-records",
        description = "Groups with fewer records in the window are not judged (default 500).")
    Long minRecords;

    public Thresholds thresholds() {
      Thresholds d = Thresholds.DEFAULTS;
      return new Thresholds(
          psi != null ? psi : d.psi(),
          js != null ? js : d.js(),
          ksD != null ? ksD : d.ksD(),
          ksP != null ? ksP : d.ksP(),
          classShift != null ? classShift : d.classShift(),
          minRecords != null ? minRecords : d.minRecords());
    }
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = {
        "Compare the last --window of captures with a baseline, per fleet, version and device.",
        "Stores violations in the database and, with --broker, publishes an alert per group on",
        "kiln/v1/alerts/drift/MODEL. Exits 25 (DRIFT_DETECTED) when a threshold is crossed."
      })
  static final class Check implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin DataCommand.DbOption db;
    @CommandLine.Mixin ThresholdOptions limits;

    @Option(names = "--model", description = "Model name (default: the baseline's).")
    String model;

    @Option(names = "--baseline", required = true, description = "baseline.json to compare with.")
    Path baseline;

    @Option(names = "--version", description = "Only this model version (default: all).")
    String version;

    @Option(
        names = "--window",
        defaultValue = "10m",
        description = "Length of the window (default: ${DEFAULT-VALUE}); 90s, 10m, 1h, 2d.")
    String window;

    @Option(names = "--until", description = "End of the window (default: now).")
    String until;

    @Option(
        names = "--by",
        split = ",",
        description = "Groups: fleet, version, device (default: fleet,version,device).")
    List<String> by;

    @Option(
        names = "--broker",
        description = "Publish alerts on this MQTT 5 broker, tcp://host:1883 (default: none).")
    String broker;

    @Option(
        names = "--client-id",
        defaultValue = "kiln-monitor",
        description = "MQTT client id with --broker (default: ${DEFAULT-VALUE}).")
    String clientId;

    @Option(names = "--ca", description = "PEM CA file for an ssl:// --broker.")
    Path ca;

    @Option(
        names = "--cert",
        description =
            "PEM client certificate for mutual TLS (the kiln-ingest identity may publish"
                + " alerts).")
    Path cert;

    @Option(names = "--key", description = "PEM private key for mutual TLS.")
    Path key;

    @Option(names = "--all", description = "Show every measurement, not only violations.")
    boolean all;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      Baseline b = BaselineFiles.read(baseline);
      if (model != null && !model.equals(b.model())) {
        throw new CloudException(
            CloudErrorCode.USAGE,
            baseline + " is the baseline of " + b.model() + ", not of --model " + model);
      }
      long now = System.currentTimeMillis();
      long end = until == null ? now : parseTime("--until", until);
      long start = end - WindowLength.parse("--window", window).toMillis();
      DriftCheck check = new DriftCheck(b, limits.thresholds(), scopes(by));
      Monitor.Outcome o;
      try (CaptureStore store = CaptureStore.open(db.db);
          AlertClient alerts =
              broker == null ? null : AlertClient.connect(broker, clientId, ca, cert, key)) {
        o = new Monitor(store, alerts).check(check, version, start, end, now);
      }
      print(spec.commandLine().getOut(), o, all, json);
      return o.report().drifted() ? ExitCode.DRIFT_DETECTED.number() : 0;
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "Drift violations found by checks, newest first.")
  static final class Status implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin DataCommand.DbOption db;

    @Option(names = "--model", description = "Only this model.")
    String model;

    @Option(names = "--since", description = "Detected at or after T (instant or UTC date).")
    String since;

    @Option(
        names = "--limit",
        defaultValue = "50",
        description = "At most this many rows (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "Print a JSON array of violations.")
    boolean json;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (CaptureStore store = CaptureStore.openReadOnly(db.db)) {
        var r = new ViolationTable(store).recent(model, DataCommand.parseSince(since), limit);
        if (json) {
          out.println(QueryResultFormat.json(r).toPrettyString());
        } else if (r.rows().isEmpty()) {
          out.println("no drift violations" + (model == null ? "" : " for " + model));
        } else {
          QueryResultFormat.table(out, r);
        }
      }
      return 0;
    }
  }

  static Set<Scope> scopes(List<String> by) {
    if (by == null || by.isEmpty()) {
      return EnumSet.allOf(Scope.class);
    }
    Set<Scope> s = EnumSet.noneOf(Scope.class);
    for (String b : by) {
      try {
        s.add(Scope.valueOf(b.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new CloudException(
            CloudErrorCode.USAGE, "--by '" + b + "': use fleet, version or device");
      }
    }
    return s;
  }

  static Long parseTime(String option, String t) {
    try {
      return DataCommand.parseSince(t);
    } catch (CloudException e) {
      throw new CloudException(CloudErrorCode.USAGE, e.getMessage().replace("--since", option));
    }
  }

  private static void print(PrintWriter out, Monitor.Outcome o, boolean all, boolean json) {
    var r = o.report();
    List<Measurement> shown = all ? r.measurements() : r.violations();
    if (json) {
      Map<String, Object> doc = new java.util.LinkedHashMap<>();
      doc.put("model", r.model());
      doc.put("windowStartMs", r.fromMs());
      doc.put("windowEndMs", r.untilMs());
      doc.put("records", r.records());
      doc.put("skippedGroups", r.skippedGroups());
      doc.put("drifted", r.drifted());
      doc.put("published", o.published());
      doc.put("measurements", shown);
      out.println(ProtocolJson.mapper().valueToTree(doc).toPrettyString());
      return;
    }
    out.printf(
        "drift check of %s, %s to %s: %d records, %d measurements, %d violations%s%n",
        r.model(),
        Instant.ofEpochMilli(r.fromMs()),
        Instant.ofEpochMilli(r.untilMs()),
        r.records(),
        r.measurements().size(),
        r.violations().size(),
        r.skippedGroups() == 0
            ? ""
            : " (" + r.skippedGroups() + " groups under --min-records not judged)");
    if (!shown.isEmpty()) {
      TextTable t =
          new TextTable(
              "scope",
              "version",
              "device",
              "feature",
              "measure",
              "value",
              "threshold",
              "records",
              "drift");
      for (Measurement m : shown) {
        t.row(
            m.scope().label(),
            m.version() == null ? "*" : m.version(),
            m.device() == null ? "*" : m.device(),
            m.feature(),
            m.measure(),
            String.format(Locale.ROOT, "%.4f", m.value()),
            m.threshold(),
            m.records(),
            m.violated() ? "YES" : "no");
      }
      out.print(t.render());
    }
    if (o.published() > 0 || o.unpublished() > 0) {
      out.printf(
          "alerts: %d published (%d with no subscriber), %d failed%n",
          o.published(), o.unheard(), o.unpublished());
    }
    out.flush();
  }
}
