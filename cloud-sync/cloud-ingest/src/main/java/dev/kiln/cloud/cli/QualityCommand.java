package dev.kiln.cloud.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.kiln.cloud.quality.FieldQuality;
import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.table.TextTable;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kiln data quality}: field accuracy, precision and recall, MAE and RMSE. */
@Command(
    name = "quality",
    mixinStandardHelpOptions = true,
    description = {
      "Model quality in the field: feedback joined to captures on the request id.",
      "Classifiers: accuracy, and precision and recall per class; regression: MAE and RMSE;",
      "each with the number of labelled samples behind it. Labels that match no capture are",
      "counted."
    })
final class QualityCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @CommandLine.Mixin DataCommand.DbOption db;

  @Option(names = "--model", required = true, description = "The model.")
  String model;

  @Option(
      names = "--by",
      defaultValue = "version",
      description = "version or device (default: ${DEFAULT-VALUE}).")
  String by;

  @Option(names = "--shadow", description = "Count shadow variants' predictions too.")
  boolean shadow;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  @Override
  public Integer call() throws JsonProcessingException {
    FieldQuality.Report r;
    try (CaptureStore store = CaptureStore.openReadOnly(db.location())) {
      r = new FieldQuality(store).report(model, FieldQuality.By.parse(by), shadow);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(ProtocolJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(r));
    } else {
      print(out, r);
    }
    out.flush();
    return 0;
  }

  private static void print(PrintWriter out, FieldQuality.Report r) {
    String key = r.by() == FieldQuality.By.VERSION ? "version" : "device";
    out.printf("field quality of %s by %s%n", r.model(), key);
    TextTable t = new TextTable(key, "labelled", "accuracy", "valued", "mae", "rmse");
    for (FieldQuality.Group g : r.groups()) {
      t.row(
          g.key(), g.labelled(), fixed(g.accuracy()), g.valued(), fixed(g.mae()), fixed(g.rmse()));
    }
    out.print(t.render());
    if (r.groups().stream().anyMatch(g -> !g.classes().isEmpty())) {
      out.println();
      TextTable c =
          new TextTable(key, "class", "labelled", "predicted", "correct", "precision", "recall");
      for (FieldQuality.Group g : r.groups()) {
        for (FieldQuality.ClassFigures f : g.classes()) {
          c.row(
              g.key(),
              f.label(),
              f.labelled(),
              f.predicted(),
              f.correct(),
              fixed(f.precision()),
              fixed(f.recall()));
        }
      }
      out.print(c.render());
    }
    out.printf(
        "labels matching no capture: %d; values matching no capture: %d%n",
        r.unmatchedLabels(), r.unmatchedValues());
  }

  private static String fixed(Double v) {
    return v == null ? null : String.format(Locale.ROOT, "%.4f", v);
  }
}
