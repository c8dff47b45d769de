package dev.kiln.cloud.cli;

import dev.kiln.cloud.CloudErrorCode;
import dev.kiln.cloud.CloudException;
import dev.kiln.cloud.quality.FeedbackTable;
import dev.kiln.cloud.quality.LabelImport;
import dev.kiln.cloud.store.CaptureStore;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kiln data label}: imports ground-truth labels by request id. */
@Command(
    name = "label",
    mixinStandardHelpOptions = true,
    description = {
      "Import labels by request id into the feedback table (source 'import').",
      "CSV with a header: request_id,label (classes) or request_id,value (regression).",
      "Importing the same file again adds nothing."
    })
final class LabelCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @CommandLine.Mixin DataCommand.DbOption db;

  @Option(names = "--file", required = true, description = "The CSV file of labels.")
  Path file;

  @Override
  public Integer call() {
    try (CaptureStore store = CaptureStore.open(db.location());
        Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      LabelImport.Result r = new LabelImport(new FeedbackTable(store)).run(in, file.toString());
      spec.commandLine()
          .getOut()
          .printf(
              "imported %d labels from %s (%d new, %d already stored)%n",
              r.rows(), file, r.inserted(), r.rows() - r.inserted());
      return 0;
    } catch (IOException e) {
      throw new CloudException(CloudErrorCode.USAGE, "cannot read " + file + ": " + e, e);
    } catch (SQLException e) {
      throw new CloudException(CloudErrorCode.INGEST_FAILED, "cannot store labels: " + e, e);
    }
  }
}
