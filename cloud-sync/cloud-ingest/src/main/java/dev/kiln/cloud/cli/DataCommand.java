package dev.kiln.cloud.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.cloud.CloudErrorCode;
import dev.kiln.cloud.CloudException;
import dev.kiln.cloud.dataset.LabelledExport;
import dev.kiln.cloud.store.CaptureQueries;
import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.cloud.store.QueryResult;
import dev.kiln.cloud.store.StoreLocation;
import dev.kiln.link.protocol.ProtocolJson;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kiln data}: look at and export the captured dataset. */
@Command(
    name = "data",
    mixinStandardHelpOptions = true,
    description = "Query, summarize and export captured inference data (DuckDB or PostgreSQL).",
    subcommands = {
      DataCommand.Query.class,
      DataCommand.Stats.class,
      DataCommand.Export.class,
      LabelCommand.class,
      QualityCommand.class
    })
public final class DataCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Options every data subcommand takes: where the captures are. */
  static class DbOption {
    @Option(
        names = "--store",
        paramLabel = "STORE",
        description =
            "The capture store: duckdb:PATH or postgresql://HOST:PORT/DB?user=NAME"
                + " (default: duckdb:kiln-cloud.duckdb).")
    String store;

    @Option(
        names = "--db",
        paramLabel = "PATH",
        description = "DuckDB file written by `kiln cloud run`; the same as --store duckdb:PATH.")
    Path db;

    StoreLocation location() {
      return StoreLocation.choose(store, db);
    }
  }

  @Command(
      name = "query",
      mixinStandardHelpOptions = true,
      description = {
        "Run SQL against the capture database (read-only).",
        "Tables: captures, devices, heartbeats, drift_violations, feedback. Example: kiln data query \"SELECT count(*) FROM captures\""
      })
  static final class Query implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin DbOption db;

    @Parameters(index = "0", paramLabel = "SQL", description = "The query.")
    String sql;

    @Option(names = "--json", description = "Print a JSON array of row objects.")
    boolean json;

    @Override
    public Integer call() {
      try (CaptureStore store = CaptureStore.openReadOnly(db.location())) {
        print(spec.commandLine().getOut(), new CaptureQueries(store).query(sql), json);
      }
      return 0;
    }
  }

  @Command(
      name = "stats",
      mixinStandardHelpOptions = true,
      description = {
        "Volume and latency per version, variant and device, and the output distribution",
        "(argmax of the first output) per version and variant."
      })
  static final class Stats implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin DbOption db;

    @Option(names = "--model", required = true, description = "Model name.")
    String model;

    @Option(names = "--json", description = "Print JSON: {model, volume:[...], outputs:[...]}.")
    boolean json;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (CaptureStore store = CaptureStore.openReadOnly(db.location())) {
        CaptureQueries.Stats s = new CaptureQueries(store).stats(model);
        if (json) {
          ObjectNode o = ProtocolJson.mapper().createObjectNode();
          o.put("model", model);
          o.set("volume", QueryResultFormat.json(s.volume()));
          o.set("outputs", QueryResultFormat.json(s.outputs()));
          out.println(o.toPrettyString());
        } else {
          out.println("Model " + model + ": volume and latency");
          QueryResultFormat.table(out, s.volume());
          out.println();
          out.println("Output distribution (top class of the first output)");
          QueryResultFormat.table(out, s.outputs());
        }
      }
      return 0;
    }
  }

  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      description = {
        "Write captures (the retraining dataset) to Parquet or CSV: one model to one file, or",
        "with --partitioned every model (or --model) to Parquet folders model=M/date=YYYY-MM-DD/",
        "that DuckDB, Spark and Trino read as one partitioned table (docs/scale.md);",
        "with --with-labels, a training set: inputs joined with their labels, split 80/20 by",
        "request id, to --out DIR (dataset.parquet, train.npz, validation.npz, train-inputs.npz)."
      })
  static final class Export implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin DbOption db;

    @Option(names = "--model", description = "Model name (required without --partitioned).")
    String model;

    @Option(
        names = "--since",
        description =
            "Only captures at or after T: an instant (2026-01-31T12:00:00Z) or a UTC date (2026-01-31).")
    String since;

    @Option(names = "--format", description = "parquet or csv (without --with-labels).")
    CaptureQueries.Format format;

    @Option(
        names = "--partitioned",
        description =
            "Write Parquet under the --output folder, partitioned hive-style by model and UTC date.")
    boolean partitioned;

    @Option(
        names = {"-o", "--output"},
        description = "Output file (a folder with --partitioned; not with --with-labels).")
    Path output;

    @Option(
        names = "--with-labels",
        description = "Write a labelled training set to --out DIR instead.")
    boolean withLabels;

    @Option(names = "--version", description = "Only this version (with --with-labels).")
    String version;

    @Option(names = "--out", description = "Folder for the training set (with --with-labels).")
    Path outDir;

    @Option(names = "--json", description = "Print the training set's summary as JSON.")
    boolean json;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      if (withLabels) {
        if (outDir == null) {
          throw new CloudException(CloudErrorCode.USAGE, "--with-labels needs --out DIR");
        }
        if (model == null) {
          throw new CloudException(CloudErrorCode.USAGE, "--with-labels needs --model NAME");
        }
        try (CaptureStore store = CaptureStore.openReadOnly(db.location())) {
          LabelledExport.Summary s =
              new LabelledExport(store).export(model, version, parseSince(since), outDir);
          if (json) {
            out.println(ProtocolJson.mapper().valueToTree(s).toPrettyString());
          } else {
            out.printf(
                "exported %d labelled records of %s to %s: %d train, %d validation (%d%%/%d%% by"
                    + " request id); %d captures without a label, %d labelled without inputs%n",
                s.train() + s.validation(),
                model,
                outDir,
                s.train(),
                s.validation(),
                s.trainPercent(),
                100 - s.trainPercent(),
                s.unlabelled(),
                s.withoutInputs());
          }
        }
        return 0;
      }
      if (format == null || output == null) {
        throw new CloudException(
            CloudErrorCode.USAGE, "export needs --format and -o FILE, or --with-labels --out DIR");
      }
      if (partitioned && format != CaptureQueries.Format.PARQUET) {
        throw new CloudException(CloudErrorCode.USAGE, "--partitioned writes Parquet only");
      }
      if (!partitioned && model == null) {
        throw new CloudException(
            CloudErrorCode.USAGE, "--model is required (or --partitioned for every model)");
      }
      try (CaptureStore store = CaptureStore.openReadOnly(db.location())) {
        CaptureQueries q = new CaptureQueries(store);
        long n =
            partitioned
                ? q.exportPartitioned(model, parseSince(since), output)
                : q.export(model, parseSince(since), format, output);
        out.printf(
            "exported %d records of %s to %s%n", n, model == null ? "every model" : model, output);
      }
      return 0;
    }
  }

  static Long parseSince(String s) {
    if (s == null) {
      return null;
    }
    try {
      return Instant.parse(s).toEpochMilli();
    } catch (DateTimeParseException notInstant) {
      try {
        return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      } catch (DateTimeParseException e) {
        throw new CloudException(
            CloudErrorCode.USAGE,
            "--since '"
                + s
                + "' is neither an instant (2026-01-31T12:00:00Z) nor a date (2026-01-31)");
      }
    }
  }

  private static void print(PrintWriter out, QueryResult r, boolean json) {
    if (json) {
      out.println(QueryResultFormat.json(r).toPrettyString());
    } else {
      QueryResultFormat.table(out, r);
    }
  }
}
